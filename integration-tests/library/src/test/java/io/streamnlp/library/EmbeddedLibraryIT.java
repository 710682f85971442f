package io.streamnlp.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.Enricher;
import io.streamnlp.EnrichmentStreams;
import io.streamnlp.StreamNlp;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.LexiconBundle;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The library inside a user's own Kafka Streams application, on a real broker, exactly-once, with nothing of the app
 * on the classpath (this module depends on streamnlp-core, its test fixtures and Kafka's test kit for the broker): the
 * user's filter upstream, the enrichment, the user's own wrapping of each entity event downstream, to topics of its
 * own.
 */
class EmbeddedLibraryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaClusterTestKit kafka;
    private static Admin admin;
    private static Path bundle;

    @BeforeAll
    static void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        bundle = LexiconBundle.write(Files.createTempDirectory(target, "library-it-bundle"));
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(Files.createTempDirectory(target, "library-it-kafka"))
                .build();
        kafka = new KafkaClusterTestKit.Builder(nodes)
                .setDeleteOnClose(true)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        PrintStream out = System.out; // the storage formatter prints to stdout
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kafka.format();
        } finally {
            System.setOut(out);
        }
        kafka.startup();
        kafka.waitForReadyBrokers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void nothingOfTheAppIsOnThisClasspath() {
        for (String name : List.of(
                "io.streamnlp.app.EnricherApp",
                "io.streamnlp.local.EmbeddedKafka",
                "ch.qos.logback.classic.Logger",
                "picocli.CommandLine",
                "io.micrometer.core.instrument.MeterRegistry")) {
            assertThrows(
                    ClassNotFoundException.class,
                    () -> Class.forName(name, false, getClass().getClassLoader()),
                    name);
        }
    }

    @Test
    void aUserTopologyWithTheEnrichmentInsideGetsEveryKeptRecordEnrichedOnceAndTheBadOneDeadLettered()
            throws Exception {
        String texts = "texts";
        String wrapped = "wrapped-entities";
        String topics = "topics";
        String dlq = "texts-dlq";
        admin.createTopics(Stream.of(texts, wrapped, topics, dlq)
                        .map(n -> new NewTopic(n, 2, (short) 1))
                        .toList())
                .all()
                .get();

        EnricherConfig config = EnricherConfig.builder()
                .set(ConfigKeys.NER_MODEL, bundle.toString())
                .set(ConfigKeys.TOPIC_MODEL, bundle.toString())
                .set(ConfigKeys.INFERENCE_DEVICE, "cpu")
                .build();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "library-it");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory(Path.of("target").toAbsolutePath(), "library-it-state")
                        .toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);

        List<String> expected = new ArrayList<>();
        try (Enricher enricher = StreamNlp.enrichment(config)) {
            props.putAll(enricher.streamsConfig());
            StreamsBuilder builder = new StreamsBuilder();
            KStream<byte[], byte[]> kept = builder.stream(texts, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .filter((key, value) -> key == null || !new String(key, StandardCharsets.UTF_8).startsWith("skip"));
            EnrichmentStreams out = enricher.addTo(builder, kept);
            Produced<byte[], byte[]> bytes = Produced.with(Serdes.ByteArray(), Serdes.ByteArray());
            out.entities().mapValues(EmbeddedLibraryIT::wrap).to(wrapped, bytes);
            out.topics().to(topics, bytes);
            out.deadLetters().to(dlq, bytes);

            // opened after the enricher, so closed before it: the stream threads stop before the engine closes
            try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
                    KafkaProducer<byte[], byte[]> producer = producer();
                    KafkaConsumer<byte[], byte[]> consumer = consumer(List.of(wrapped, topics, dlq))) {
                streams.start();
                for (int i = 0; i < 40; i++) {
                    String key = i % 5 == 0 ? "skip-" + i : "k" + i;
                    String value = i == 7
                            ? "{\"text\": "
                            : "{\"id\":\"r" + i + "\",\"text\":\"Angela Merkel won the election in Paris " + i + "\"}";
                    if (i % 5 != 0 && i != 7) {
                        expected.add("r" + i);
                    }
                    producer.send(new ProducerRecord<>(texts, bytes(key), bytes(value)));
                }
                producer.flush();

                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                assertTrue(
                        collectUntil(
                                consumer,
                                records,
                                rs -> count(rs, wrapped) >= expected.size()
                                        && count(rs, topics) >= expected.size()
                                        && count(rs, dlq) >= 1,
                                Duration.ofSeconds(120)),
                        "every kept record's events arrive: " + records.size());
                collectUntil(consumer, records, rs -> false, Duration.ofSeconds(2)); // a duplicate would arrive now

                List<JsonNode> entityEvents =
                        of(records, wrapped).stream().map(r -> json(r.value())).toList();
                assertEquals(
                        sorted(expected),
                        sorted(entityEvents.stream()
                                .map(n -> n.path("event").path("id").asText())
                                .toList()),
                        "each kept record's entity event once; the filtered ones never");
                for (JsonNode n : entityEvents) {
                    assertEquals("embedded", n.path("wrappedBy").asText(), "the user's own downstream step ran: " + n);
                    JsonNode entities = n.path("event").path("entities");
                    assertEquals("PER", entities.get(0).path("label").asText(), n.toString());
                    assertEquals("Angela Merkel", entities.get(0).path("text").asText(), n.toString());
                    assertEquals("LOC", entities.get(1).path("label").asText(), n.toString());
                }
                List<JsonNode> topicEvents =
                        of(records, topics).stream().map(r -> json(r.value())).toList();
                assertEquals(
                        sorted(expected),
                        sorted(topicEvents.stream()
                                .map(n -> n.path("id").asText())
                                .toList()));
                assertTrue(
                        topicEvents.stream()
                                .allMatch(n -> n.path("label").asText().equals("World")),
                        topicEvents.toString());

                List<ConsumerRecord<byte[], byte[]>> dead = of(records, dlq);
                assertEquals(1, dead.size(), "only the bad record is dead-lettered");
                assertEquals("k7", new String(dead.get(0).key(), StandardCharsets.UTF_8));
                assertEquals(RejectReason.INVALID_JSON.name(), header(dead.get(0), DeadLetters.ERROR));
                assertEquals(texts, header(dead.get(0), DeadLetters.SOURCE_TOPIC));
                assertEquals(
                        "{\"text\": ", new String(dead.get(0).value(), StandardCharsets.UTF_8), "its value unchanged");
            }
        }
    }

    /** The user's downstream step: each entity event inside an envelope of its own. */
    private static byte[] wrap(byte[] event) {
        try {
            ObjectNode envelope = JSON.createObjectNode();
            envelope.put("wrappedBy", "embedded");
            envelope.set("event", JSON.readTree(event));
            return JSON.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A read_committed consumer of the outputs from their start: what an exactly-once reader sees. */
    private static KafkaConsumer<byte[], byte[]> consumer(List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "library-it-reader");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(topics);
        return c;
    }

    /** Polls into {@code records} until {@code done} holds (true) or the time is up (false). */
    private static boolean collectUntil(
            KafkaConsumer<byte[], byte[]> consumer,
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            if (done.test(records)) {
                return true;
            }
        }
        return false;
    }

    private static List<ConsumerRecord<byte[], byte[]>> of(List<ConsumerRecord<byte[], byte[]>> rs, String topic) {
        return rs.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private static long count(List<ConsumerRecord<byte[], byte[]>> rs, String topic) {
        return rs.stream().filter(r -> r.topic().equals(topic)).count();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> sorted(List<String> xs) {
        return xs.stream().sorted().toList();
    }
}
