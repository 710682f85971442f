package io.streamnlp.cli;

import io.streamnlp.app.EnricherApp;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.topology.EnricherTopology;
import io.streamnlp.topology.Settings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** Runs the processor against a cluster until SIGTERM/SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the enrichment processor against the configured Kafka cluster until stopped (SIGTERM/Ctrl-C).")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
    boolean printConfig;

    @Option(names = "--create-topics", description = "Create missing input/output/DLQ topics before starting.")
    boolean createTopics;

    @Option(names = "--input-partitions", defaultValue = "6", description = "Partitions of the input topic when --create-topics creates it (default ${DEFAULT-VALUE}).")
    int inputPartitions;

    @Option(names = "--shutdown-timeout", defaultValue = "PT30S", description = "How long a clean shutdown may take (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Override
    public Integer call() throws Exception {
        EnricherConfig c = config.load();
        if (printConfig) {
            c.masked().forEach((k, v) -> System.out.println(k + "=" + v));
            return 0;
        }
        if (createTopics) {
            Settings s = Settings.from(c);
            TopicAdmin.ensureTopics(c.get(ConfigKeys.BOOTSTRAP_SERVERS), c.kafkaOverrides(), Topics.from(c), inputPartitions,
                    inputPartitions, EnricherTopology.maxRecordBytes(s));
        }
        EnricherApp app = EnricherApp.start(c, BatchListener.NONE);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        CountDownLatch closed = new CountDownLatch(1);
        Runnable stop = () -> {
            if (shuttingDown.compareAndSet(false, true)) {
                try {
                    app.close(shutdownTimeout);
                } finally {
                    closed.countDown();
                }
            }
        };
        Thread hook = new Thread(stop, "streamnlp-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // SIGTERM/SIGINT: a clean stop, then exit 0 (a JVM ended by the signal itself would exit 143/130).
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), sig -> new Thread(stop, "streamnlp-shutdown-" + name).start());
            } catch (IllegalArgumentException e) {
                // signal not available here (e.g. -Xrs): the shutdown hook still closes cleanly
            }
        }
        app.awaitStop();
        if (shuttingDown.get()) {
            closed.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook itself is running
            }
            return 0;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        boolean failed = app.failed();
        app.close(shutdownTimeout);
        if (failed) {
            System.err.println("error: the stream stopped after a fatal error (see the log above)");
            return Main.EXIT_FAILURE;
        }
        return 0;
    }
}
