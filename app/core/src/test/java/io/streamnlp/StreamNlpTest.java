package io.streamnlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.engine.ForwardingEngine;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's entry point, and the README's example run as written, on the lexicon bundle. */
class StreamNlpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLE = Path.of("src/test/java/io/streamnlp/EnrichedTexts.java");

    @TempDir
    static Path tmp;

    static Path bundle;

    @BeforeAll
    static void writeBundle() {
        bundle = LexiconBundle.write(tmp.resolve("lexicon"));
    }

    @Test
    void theReadmeShowsTheExampleThisTestRuns() throws IOException {
        String readme = Files.readString(Path.of("..", "..", "README.md"));
        String marker = "<!-- example: app/core/" + EXAMPLE.toString().replace('\\', '/') + " -->\n```java\n";
        int start = readme.indexOf(marker);
        assertTrue(start >= 0, "README marks the example with " + marker);
        int from = start + marker.length();
        String shown = readme.substring(from, readme.indexOf("```\n", from));
        String source = Files.readString(EXAMPLE);
        String afterPackage = source.substring(source.indexOf(";\n\n") + 3);
        assertEquals(afterPackage, shown, "the README's example is EnrichedTexts.java after its package line");
    }

    @Test
    void theReadmeNamesThisBuildsCoordinates() throws IOException {
        String parent = Files.readString(Path.of("..", "..", "pom.xml"));
        String version = parent.substring(parent.indexOf("<version>") + 9, parent.indexOf("</version>"));
        String readme = Files.readString(Path.of("..", "..", "README.md"));
        assertTrue(
                readme.contains(
                        "<groupId>io.streamnlp</groupId>\n  <artifactId>streamnlp-core</artifactId>\n  <version>"
                                + version + "</version>"),
                "README's Maven coordinates carry the pom's version " + version);
    }

    @Test
    void theExampleEnrichesWhatItsFilterKeepsAndDeadLettersABadRecord() throws Exception {
        try (Enricher enricher = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()));
                TopologyTestDriver driver =
                        new TopologyTestDriver(EnrichedTexts.topology(enricher), props(enricher, "example"))) {
            TestInputTopic<byte[], byte[]> texts =
                    driver.createInputTopic("texts", new ByteArraySerializer(), new ByteArraySerializer());
            texts.pipeInput(bytes("a"), bytes("{\"id\":\"a\",\"text\":\"Angela Merkel won the election in Paris\"}"));
            texts.pipeInput(bytes("skip-1"), bytes("{\"id\":\"skipped\",\"text\":\"Acme shares\"}"));
            texts.pipeInput(bytes("b"), bytes("{\"text\": "));
            texts.pipeInput(bytes("c"), bytes("Acme software"));
            List<TestRecord<byte[], byte[]>> entities = new ArrayList<>();
            List<TestRecord<byte[], byte[]>> topics = new ArrayList<>();
            TestOutputTopic<byte[], byte[]> entityTopic = output(driver, "entities");
            TestOutputTopic<byte[], byte[]> topicTopic = output(driver, "topics");
            // batches run on inference threads (inference.overlap): the wall-clock punctuator delivers them
            awaitDelivery(driver, () -> {
                entities.addAll(entityTopic.readRecordsToList());
                topics.addAll(topicTopic.readRecordsToList());
                return entities.size() >= 2 && topics.size() >= 2;
            });

            assertEquals(
                    List.of("a", "c"),
                    entities.stream()
                            .map(r -> json(r.value()).path("id").asText())
                            .toList(),
                    "the filtered record is not enriched; the others once each, in order");
            JsonNode a = json(entities.get(0).value());
            assertEquals("Angela Merkel", a.path("entities").get(0).path("text").asText());
            assertEquals("PER", a.path("entities").get(0).path("label").asText());
            assertEquals("LOC", a.path("entities").get(1).path("label").asText());
            assertEquals("lexicon@1.0.0", a.path("model").asText());
            assertEquals("a", new String(entities.get(0).key(), StandardCharsets.UTF_8), "keyed by the input's key");
            assertEquals(
                    List.of("World", "Sci/Tech"),
                    topics.stream()
                            .map(r -> json(r.value()).path("label").asText())
                            .toList());

            List<TestRecord<byte[], byte[]>> dlq = output(driver, "texts-dlq").readRecordsToList();
            assertEquals(1, dlq.size(), "only the bad record is dead-lettered");
            assertEquals("b", new String(dlq.get(0).key(), StandardCharsets.UTF_8));
            assertEquals(
                    RejectReason.INVALID_JSON.name(),
                    new String(
                            dlq.get(0).headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8));
            assertEquals(
                    "texts",
                    new String(
                            dlq.get(0)
                                    .headers()
                                    .lastHeader(DeadLetters.SOURCE_TOPIC)
                                    .value(),
                            StandardCharsets.UTF_8));
            assertTrue(
                    output(driver, "entities").isEmpty()
                            && output(driver, "topics").isEmpty(),
                    "nothing more");
        }
    }

    @Test
    void aProcessorApiTopologyGetsTheSameEventsFromNamedOutputs() throws Exception {
        try (Enricher enricher = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))) {
            Topology topology = new Topology();
            topology.addSource("in", "texts");
            EnrichmentNodes nodes = enricher.addTo(topology, "in");
            topology.addSink("entities-out", "entities", nodes.entities());
            topology.addSink("topics-out", "topics", nodes.topics());
            topology.addSink("dlq-out", "texts-dlq", nodes.deadLetters());
            String described = topology.describe().toString();
            assertTrue(
                    described.contains("streamnlp-batch-buffer") && described.contains("streamnlp-batch-partials"),
                    "the processor has both stores: " + described);
            try (TopologyTestDriver driver = new TopologyTestDriver(topology, props(enricher, "papi"))) {
                driver.createInputTopic("texts", new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput(bytes("k"), bytes("Acme bought football shares"));
                TestOutputTopic<byte[], byte[]> entityTopic = output(driver, "entities");
                List<TestRecord<byte[], byte[]>> entities = new ArrayList<>();
                awaitDelivery(driver, () -> entities.addAll(entityTopic.readRecordsToList()) || !entities.isEmpty());
                assertEquals(
                        "ORG",
                        json(entities.get(0).value())
                                .path("entities")
                                .get(0)
                                .path("label")
                                .asText());
                assertFalse(output(driver, "topics").isEmpty(), "the topic event goes to its own output");
                assertTrue(output(driver, "texts-dlq").isEmpty());
            }
        }
    }

    @Test
    void anEngineOfTheUsersOwnStaysOpenAndOneOpenedFromConfigIsClosed() {
        Enricher opened = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()));
        opened.close();
        assertThrows(
                EngineFailureException.class,
                () -> opened.engine().encode("Paris"),
                "the enricher closed its own engine");

        try (ControlledEngine own = new ControlledEngine(OnnxEnrichmentEngine.open(EngineOptions.of(bundle)))) {
            Enricher enricher = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()), own);
            enricher.addTo(
                    new StreamsBuilder(),
                    new StreamsBuilder().stream("t", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
            assertThrows(IllegalStateException.class, () -> enricher.addTo(new Topology(), "x"), "one topology, once");
            enricher.close();
            assertFalse(own.closed, "the caller's engine is the caller's to close");
            assertEquals(1, own.encode("Paris").contentTokens(), "and still works");
        }
    }

    @Test
    void anEventLargerThanTheBrokersDefaultLimitIsDeadLetteredNotForwarded() throws Exception {
        // The embedded API cannot read the user's topic limits: it assumes output.max.record.bytes (1 MiB, the broker
        // default). An event over it would fail the user's producer and stop every instance that restores the record.
        EnricherConfig config = EnricherConfig.builder()
                .set("ner.model", bundle.toString())
                .set("topic.model", bundle.toString())
                .set("input.max.bytes", Integer.toString(2 << 20))
                .build();
        String text = "Paris" + " ".repeat(1_100_000) + "Acme";
        try (Enricher enricher = StreamNlp.enrichment(config);
                TopologyTestDriver driver =
                        new TopologyTestDriver(EnrichedTexts.topology(enricher), props(enricher, "large"))) {
            driver.createInputTopic("texts", new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(bytes("big"), bytes(text));
            TestOutputTopic<byte[], byte[]> dlqTopic = output(driver, "texts-dlq");
            List<TestRecord<byte[], byte[]>> dlq = new ArrayList<>();
            TestOutputTopic<byte[], byte[]> entityTopic = output(driver, "entities");
            List<TestRecord<byte[], byte[]>> entities = new ArrayList<>();
            awaitDelivery(driver, () -> {
                dlq.addAll(dlqTopic.readRecordsToList());
                entities.addAll(entityTopic.readRecordsToList());
                return !dlq.isEmpty() || !entities.isEmpty();
            });
            assertEquals(
                    List.of(),
                    entities.stream().map(r -> r.value().length).toList(),
                    "no event over output.max.record.bytes is forwarded");
            assertEquals(1, dlq.size());
            assertEquals(
                    RejectReason.OUTPUT_TOO_LARGE.name(),
                    new String(
                            dlq.get(0).headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anEngineServingNoModelForAnEnabledTaskIsRefusedAtOpen() {
        // the contract: nerModel()/topicModel() is null when the engine does not serve that task; its events would
        // silently never be written
        try (OnnxEnrichmentEngine real = OnnxEnrichmentEngine.open(EngineOptions.of(bundle))) {
            EnrichmentEngine noNer = new ForwardingEngine(real) {
                @Override
                public String nerModel() {
                    return null;
                }

                @Override
                public void close() {}
            };
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()), noNer)
                            .close());
            assertTrue(e.getMessage().contains("ner.enabled") && e.getMessage().contains("nerModel()"), e.getMessage());
            EnricherConfig topicsOnly = EnricherConfig.builder()
                    .set("ner.enabled", "false")
                    .set("topic.model", bundle.toString())
                    .build();
            StreamNlp.enrichment(topicsOnly, noNer).close(); // what the configuration enables is served
        }
    }

    @Test
    void aSecondUnnamedEnrichmentInOneTopologyFailsNamingTheFix() {
        try (Enricher first = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()));
                Enricher second = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))) {
            StreamsBuilder builder = new StreamsBuilder();
            first.addTo(builder, builder.stream("a", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                second.addTo(builder, builder.stream("b", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
                builder.build();
            });
            assertTrue(e.getMessage().contains("named("), "names the fix: " + e.getMessage());

            Topology topology = new Topology();
            topology.addSource("in", "texts");
            try (Enricher third = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()));
                    Enricher fourth = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))) {
                third.addTo(topology, "in");
                RuntimeException p = assertThrows(RuntimeException.class, () -> fourth.addTo(topology, "in"));
                assertTrue(p.getMessage().contains("named("), "names the fix: " + p.getMessage());
            }
        }
    }

    @Test
    void twoNamedEnrichmentsShareOneTopologyAndBothEnrich() throws Exception {
        try (Enricher orders = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))
                        .named("orders");
                Enricher news = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))
                        .named("news")) {
            StreamsBuilder builder = new StreamsBuilder();
            Produced<byte[], byte[]> bytes = Produced.with(Serdes.ByteArray(), Serdes.ByteArray());
            for (Enricher e : List.of(orders, news)) {
                String n = e == orders ? "orders" : "news";
                EnrichmentStreams out = e.addTo(
                        builder, builder.stream(n + "-texts", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
                out.entities().to(n + "-entities", bytes);
                out.topics().to(n + "-topics", bytes);
                out.deadLetters().to(n + "-dlq", bytes);
            }
            Topology topology = builder.build();
            String described = topology.describe().toString();
            assertTrue(
                    described.contains("streamnlp-orders-batch-buffer")
                            && described.contains("streamnlp-news-batch-buffer"),
                    described);
            try (TopologyTestDriver driver = new TopologyTestDriver(topology, props(orders, "two"))) {
                driver.createInputTopic("orders-texts", new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput(bytes("o"), bytes("Acme bought football shares"));
                driver.createInputTopic("news-texts", new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput(bytes("n"), bytes("Angela Merkel won the election in Paris"));
                List<TestRecord<byte[], byte[]>> fromOrders = new ArrayList<>();
                List<TestRecord<byte[], byte[]>> fromNews = new ArrayList<>();
                TestOutputTopic<byte[], byte[]> ordersOut = output(driver, "orders-entities");
                TestOutputTopic<byte[], byte[]> newsOut = output(driver, "news-entities");
                awaitDelivery(driver, () -> {
                    fromOrders.addAll(ordersOut.readRecordsToList());
                    fromNews.addAll(newsOut.readRecordsToList());
                    return !fromOrders.isEmpty() && !fromNews.isEmpty();
                });
                assertEquals(
                        List.of("o"),
                        fromOrders.stream()
                                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                                .toList());
                assertEquals(
                        List.of("n"),
                        fromNews.stream()
                                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                                .toList());
                assertEquals(
                        "PER",
                        json(fromNews.get(0).value())
                                .path("entities")
                                .get(0)
                                .path("label")
                                .asText());
                assertTrue(output(driver, "orders-dlq").isEmpty()
                        && output(driver, "news-dlq").isEmpty());
            }
        }
    }

    @Test
    void anExceptionHandlerThatContinuesIsRefusedWhenTheStreamStarts() {
        // a continuing handler drops a record's events while the enrichment deletes its buffered entry: it is lost
        try (Enricher enricher = StreamNlp.enrichment(EnrichedTexts.config(bundle.toString()))) {
            Topology topology = EnrichedTexts.topology(enricher);
            for (String[] handler : new String[][] {
                {"processing.exception.handler", LogAndContinueProcessingExceptionHandler.class.getName()},
                {"production.exception.handler", ContinuingProductionHandler.class.getName()}
            }) {
                // a state folder each: the driver that failed to start leaves its store open
                Properties props = props(enricher, "handler-" + handler[0]);
                props.put(handler[0], handler[1]);
                Throwable e =
                        assertThrows(RuntimeException.class, () -> new TopologyTestDriver(topology, props).close());
                while (e.getCause() != null && !(e instanceof ConfigException)) {
                    e = e.getCause();
                }
                assertTrue(
                        e instanceof ConfigException && e.getMessage().contains(handler[0] + "=" + handler[1]),
                        "names the key: " + e);
            }
        }
    }

    /** A user's production handler that drops what it cannot send. */
    public static final class ContinuingProductionHandler implements ProductionExceptionHandler {
        @Override
        public void configure(Map<String, ?> configs) {}
    }

    private static void awaitDelivery(TopologyTestDriver driver, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the events arrive");
            Thread.sleep(10);
            driver.advanceWallClockTime(Duration.ofMillis(10));
        }
    }

    private static Properties props(Enricher enricher, String appId) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state-" + appId).toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.putAll(enricher.streamsConfig());
        return p;
    }

    private static TestOutputTopic<byte[], byte[]> output(TopologyTestDriver driver, String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
