package io.streamnlp.cli;

import io.streamnlp.app.EnricherApp;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.metrics.Monitoring;
import io.streamnlp.topology.Settings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the processor against a cluster until SIGTERM/SIGINT. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run the enrichment processor against the configured Kafka cluster until stopped (SIGTERM/Ctrl-C).")
public final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Mixin
    LogFormatOption logFormat;

    @Option(names = "--print-config", description = "Print the effective configuration (secrets masked) and exit.")
    boolean printConfig;

    @Option(names = "--create-topics", description = "Create missing input/output/DLQ topics before starting.")
    boolean createTopics;

    @Option(
            names = "--input-partitions",
            defaultValue = "6",
            description = "Partitions of the input topic when --create-topics creates it (default ${DEFAULT-VALUE}).")
    int inputPartitions;

    @Option(
            names = "--shutdown-timeout",
            defaultValue = "PT30S",
            description = "How long a clean shutdown may take (ISO-8601, default ${DEFAULT-VALUE}).")
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
            TopicAdmin.ensureTopics(
                    c.get(ConfigKeys.BOOTSTRAP_SERVERS),
                    c.kafkaOverrides(),
                    Topics.from(c),
                    inputPartitions,
                    inputPartitions,
                    s.maxRecordBytes());
        }
        Monitoring monitoring = Monitoring.start(c);
        EnricherApp app;
        try {
            app = monitoring.startApp(c);
        } catch (RuntimeException e) {
            monitoring.close();
            throw e;
        }
        // Stop on a signal, or when the stream stops by itself (fatal error): whichever comes first.
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean signalled = new AtomicBoolean();
        StopSignals.onStop(() -> {
            signalled.set(true);
            stop.countDown();
        });
        Thread watcher = new Thread(
                () -> {
                    try {
                        app.awaitStop();
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    stop.countDown();
                },
                "streamnlp-watch");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
        boolean failed = !signalled.get() && app.failed();
        // Records still buffered stay in the changelogged store for the next owner of their partition.
        boolean clean = app.close(shutdownTimeout);
        monitoring.close();
        if (!clean) {
            Main.error(
                    System.err,
                    "the stream did not stop within --shutdown-timeout=" + shutdownTimeout
                            + "; exiting without committing (nothing is lost: the next owner re-runs the open work)");
            return Main.EXIT_FAILURE;
        }
        if (failed) {
            Main.error(System.err, "the stream stopped after a fatal error (see the log above)");
            return Main.EXIT_FAILURE;
        }
        return 0;
    }
}
