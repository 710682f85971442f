package io.streamnlp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.local.EventCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Pretty-prints an output topic as it is written: entities marked in the text, topics with their score. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = "Print the events of an output topic (read_committed), entities highlighted in the text.")
public final class TailCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Topic to read (default: topic.entities of the configuration).")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest event instead of the newest.")
    boolean fromBeginning;

    @Option(
            names = "--max",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after N events (0: run until Ctrl-C).")
    long max;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            description = "Stop when nothing arrives for this long (ISO-8601, e.g. PT10S).")
    Duration idleTimeout;

    @Option(names = "--no-color", description = "Plain output without ANSI colours.")
    boolean noColor;

    private volatile boolean stop;

    @Override
    public Integer call() {
        EnricherConfig c = config.load();
        String t = topic != null ? topic : c.get(ConfigKeys.TOPIC_ENTITIES);
        boolean dlq = t.equals(c.get(ConfigKeys.TOPIC_DLQ));
        EventPrinter printer = new EventPrinter(!noColor && System.console() != null);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    stop = true;
                    try {
                        done.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                },
                "streamnlp-tail-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long seen = 0;
        long lastNanos = System.nanoTime();
        try (EventCollector in = new EventCollector(
                c.get(ConfigKeys.BOOTSTRAP_SERVERS), c.kafkaOverrides(), List.of(t), !fromBeginning)) {
            while (!stop && (max <= 0 || seen < max)) {
                List<ConsumerRecord<byte[], byte[]>> got = in.pollOnce(Duration.ofMillis(200));
                in.records().clear(); // a tail keeps nothing
                if (!got.isEmpty()) {
                    lastNanos = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : got) {
                    print(System.out, printer, r, dlq);
                    if (max > 0 && ++seen >= max) {
                        break;
                    }
                }
                if (idleTimeout != null && System.nanoTime() - lastNanos > idleTimeout.toNanos()) {
                    break;
                }
            }
        } finally {
            done.countDown();
            if (!stop) {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        return 0;
    }

    static void print(PrintStream out, EventPrinter printer, ConsumerRecord<byte[], byte[]> r, boolean dlq) {
        String raw = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
        if (dlq) {
            var error = r.headers().lastHeader(DeadLetters.ERROR);
            var reason = r.headers().lastHeader(DeadLetters.REASON);
            out.printf(
                    "✗ %s-%d@%d %s: %s%n  value: %s%n%n",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    error == null ? "?" : new String(error.value(), StandardCharsets.UTF_8),
                    reason == null ? "" : new String(reason.value(), StandardCharsets.UTF_8),
                    raw);
            return;
        }
        JsonNode ev;
        try {
            ev = JSON.readTree(raw);
        } catch (IOException e) {
            ev = null;
        }
        if (ev == null || !ev.isObject()) {
            out.println(raw);
            return;
        }
        String id = ev.path("id").asText(r.key() == null ? "?" : new String(r.key(), StandardCharsets.UTF_8));
        boolean entities = ev.path("entities").isArray();
        printer.printDocument(out, id, entities ? ev : null, entities ? null : ev);
        out.println();
    }
}
