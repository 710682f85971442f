package io.streamnlp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.app.EnricherApp;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.Topics;
import io.streamnlp.local.EventCollector;
import io.streamnlp.local.LocalPipeline;
import io.streamnlp.topology.Settings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The demo: a real single-node KRaft broker in this JVM, the processor with the default model bundle,
 * a set of sample texts published, and the enriched events printed as they come back.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Start an embedded Kafka broker and the processor, publish sample texts, print the enriched events.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Option(
            names = "--keep-running",
            description = "Keep the broker and processor running after the samples (Ctrl-C stops).")
    boolean keepRunning;

    @Option(
            names = "--samples",
            paramLabel = "FILE",
            description = "One record value per line (JSON or plain text) instead of the bundled samples.")
    Path samples;

    @Option(names = "--no-color", description = "Plain output without ANSI colours.")
    boolean noColor;

    @Override
    public Integer call() throws Exception {
        List<String> lines = readSamples();
        System.out.println("Starting an embedded Kafka broker (KRaft, single node) and the processor...");
        try (LocalPipeline local = LocalPipeline.start("streamnlp-demo", 3, config::load, BatchListener.NONE)) {
            EnricherApp app = local.app();
            String bootstrap = local.kafka().bootstrapServers();
            Settings settings = Settings.from(local.config());
            Topics topics = settings.topics();
            System.out.printf(
                    "Processor running on %s (NER: %s, topics: %s). Publishing %d records to %s...%n%n",
                    bootstrap, app.engine().nerModel(), app.engine().topicModel(), lines.size(), topics.input());
            publish(bootstrap, topics.input(), lines);
            printResults(bootstrap, settings, lines.size());
            if (keepRunning) {
                System.out.println("\nStill running. Produce to " + topics.input() + " at " + bootstrap + "; read "
                        + topics.entities() + " / " + topics.topics()
                        + " with isolation.level=read_committed. Ctrl-C stops.");
                Thread main = Thread.currentThread();
                Runtime.getRuntime().addShutdownHook(new Thread(main::interrupt));
                try {
                    app.awaitStop();
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return 0;
    }

    private List<String> readSamples() throws Exception {
        InputStream in = samples != null
                ? Files.newInputStream(samples)
                : DemoCommand.class.getResourceAsStream("/demo/samples.txt");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private static void publish(String bootstrap, String topic, List<String> lines) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(topic, null, line.getBytes(StandardCharsets.UTF_8)))
                        .get();
            }
        }
    }

    /** Waits for one event per record on each enabled topic (or the DLQ) and prints them in input order. */
    private void printResults(String bootstrap, Settings s, int expected) {
        List<String> outTopics = new ArrayList<>();
        if (s.nerEnabled()) outTopics.add(s.topics().entities());
        if (s.topicEnabled()) outTopics.add(s.topics().topics());
        List<String> all = new ArrayList<>(outTopics);
        all.add(s.topics().dlq());
        EventPrinter printer = new EventPrinter(!noColor && System.console() != null);
        try (EventCollector collector = new EventCollector(bootstrap, Map.of(), all)) {
            String primary = outTopics.get(0);
            boolean complete = collector.collectUntil(
                    rs -> EventCollector.count(rs, primary)
                                            + EventCollector.count(
                                                    rs, s.topics().dlq())
                                    >= expected
                            && outTopics.stream()
                                    .allMatch(t -> EventCollector.count(rs, t) == EventCollector.count(rs, primary)),
                    Duration.ofSeconds(120));
            Map<String, JsonNode> entities = new LinkedHashMap<>();
            Map<String, JsonNode> topicEvents = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : collector.records()) {
                if (r.topic().equals(s.topics().dlq())) {
                    var h = r.headers().lastHeader(DeadLetters.REASON);
                    System.out.println("✗ dead-lettered (partition " + r.partition() + "): "
                            + (h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8)));
                    System.out.println("  value: " + new String(r.value(), StandardCharsets.UTF_8));
                    System.out.println();
                    continue;
                }
                JsonNode ev = EventCollector.json(r);
                String id = ev.path("id").asText();
                if (r.topic().equals(s.topics().entities())) {
                    entities.put(id, ev);
                } else {
                    topicEvents.put(id, ev);
                    entities.putIfAbsent(id, null);
                }
            }
            entities.keySet().stream().sorted(DemoCommand::byNaturalOrder).forEach(id -> {
                printer.printDocument(System.out, id, entities.get(id), topicEvents.get(id));
                System.out.println();
            });
            if (!complete) {
                System.err.println("warning: not every record came back within 120 s");
            }
        }
    }

    private static int byNaturalOrder(String a, String b) {
        String da = a.replaceAll("\\D", ""), db = b.replaceAll("\\D", "");
        if (!da.isEmpty() && !db.isEmpty() && da.length() < 10 && db.length() < 10) {
            int c = Integer.compare(Integer.parseInt(da), Integer.parseInt(db));
            if (c != 0) return c;
        }
        return a.compareTo(b);
    }
}
