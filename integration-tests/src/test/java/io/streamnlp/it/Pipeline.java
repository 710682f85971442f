package io.streamnlp.it;

import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.app.EnricherApp;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.local.EventCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** One processor on the shared broker, with its own topics and application.id (from the test's names), and a batch hook. */
final class Pipeline implements AutoCloseable {
    /** What the batch hook saw. */
    record Batch(BatchStats stats, int owners, BatchListener.Trigger trigger, long queueNanos) {}

    final TestBroker kafka;
    final Topics topics;
    final EnricherConfig config;
    final List<Batch> batches = new CopyOnWriteArrayList<>();
    EnricherApp app;
    private final KafkaProducer<byte[], byte[]> producer;

    /** A processor of {@code bundle} (null: the default models) on its own new topics, not started. */
    Pipeline(TestBroker kafka, TestNames names, Path bundle, int partitions, Map<String, String> overrides)
            throws Exception {
        this.kafka = kafka;
        EnricherConfig.Builder b = EnricherConfig.builder()
                .set(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
                .set(ConfigKeys.APPLICATION_ID, names.applicationId())
                .set(ConfigKeys.INFERENCE_DEVICE, "cpu")
                .set(ConfigKeys.STATE_DIR, newStateDir().toString())
                .set("kafka.consumer.session.timeout.ms", "10000");
        Topics t = names.topics();
        b.set(ConfigKeys.TOPIC_INPUT, t.input())
                .set(ConfigKeys.TOPIC_ENTITIES, t.entities())
                .set(ConfigKeys.TOPIC_TOPICS, t.topics())
                .set(ConfigKeys.TOPIC_DLQ, t.dlq());
        if (bundle != null) {
            b.set(ConfigKeys.NER_MODEL, bundle.toString()).set(ConfigKeys.TOPIC_MODEL, bundle.toString());
        }
        b.setAll(overrides);
        this.config = b.build();
        this.topics = Topics.from(config);
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), Map.of(), topics, partitions, 2, 16 << 20);
        producer = producer(kafka);
    }

    /** Another instance of the same processor (same topics and application.id, a state directory of its own). */
    Pipeline(Pipeline same) throws Exception {
        this.kafka = same.kafka;
        this.topics = same.topics;
        this.config = EnricherConfig.builder()
                .setAll(same.config.asMap())
                .set(ConfigKeys.STATE_DIR, newStateDir().toString())
                .build();
        producer = producer(kafka);
    }

    private static KafkaProducer<byte[], byte[]> producer(TestBroker kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Starts the processor and waits until it is RUNNING. */
    Pipeline start() throws InterruptedException {
        return start(e -> e);
    }

    /** As {@link #start()}, with the processor's engine wrapped. */
    Pipeline start(java.util.function.UnaryOperator<io.streamnlp.api.engine.EnrichmentEngine> wrap)
            throws InterruptedException {
        this.app = EnricherApp.start(
                config,
                new BatchListener() {
                    @Override
                    public void onBatch(BatchStats stats, int owners, Trigger trigger, long queueNanos) {
                        batches.add(new Batch(stats, owners, trigger, queueNanos));
                    }
                },
                io.streamnlp.topology.RecordMetrics.NONE,
                wrap);
        if (!app.awaitRunning(Duration.ofSeconds(90))) {
            throw new IllegalStateException(
                    "processor did not reach RUNNING: " + app.streams().state());
        }
        return this;
    }

    void send(String key, String value) {
        send(null, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    void send(Integer partition, String key, byte[] value) {
        producer.send(new ProducerRecord<>(
                topics.input(),
                partition,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value,
                new RecordHeaders()));
    }

    void flush() {
        producer.flush();
    }

    EventCollector collector() {
        return new EventCollector(
                kafka.bootstrapServers(), Map.of(), List.of(topics.entities(), topics.topics(), topics.dlq()));
    }

    /**
     * A new state.dir under the module's target/ (cleaned by {@code mvn clean}, unlike the OS temp folder, which
     * Kafka Streams also warns about), deleted by {@link #close()} once its processor has stopped.
     */
    static Path newStateDir() throws IOException {
        Path parent = Path.of("target", "it-state").toAbsolutePath();
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "state");
    }

    @Override
    public void close() {
        producer.close();
        boolean stopped = app == null || app.close(Duration.ofSeconds(20));
        if (stopped) { // a processor still running may yet write there
            deleteTree(Path.of(config.get(ConfigKeys.STATE_DIR)));
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // best effort: a stream closed in the background (a shutdown that timed out) may still write there
            System.err.println("left the test state folder " + dir + ": " + e);
        }
    }
}
