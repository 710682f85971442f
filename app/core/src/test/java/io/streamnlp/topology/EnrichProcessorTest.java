package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch buffer in the style of Kafka's WordCountProcessorTest: a real engine on the lexicon
 * bundle, a MockProcessorContext, and the wall-clock punctuator fired by hand.
 */
class EnrichProcessorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static EnrichmentEngine engine;

    private final List<BatchListener.Trigger> triggers = new ArrayList<>();
    private MockProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;
    private KeyValueStore<Long, byte[]> partials;

    @BeforeAll
    static void loadEngine() {
        engine = OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))));
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(NodeNames.BUFFER_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        partials = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(NodeNames.PARTIALS_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        partials.init(context.getStateStoreContext(), partials);
        context.addStateStore(partials);
    }

    private CoordinatorRegistry registry;

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    private EnrichProcessor processor(BatchPolicy policy) {
        return processor(policy, false);
    }

    private EnrichProcessor processor(BatchPolicy policy, boolean overlap) {
        registry = new CoordinatorRegistry(
                engine,
                policy,
                (BatchStats stats, int owners, BatchListener.Trigger trigger, long queueNanos) -> triggers.add(trigger),
                overlap);
        EnrichProcessor p = new EnrichProcessor(Settings.from(EnricherConfig.defaults()), registry);
        p.init(context);
        return p;
    }

    private void send(EnrichProcessor p, long offset, String key, String value) {
        context.setRecordMetadata("text.input", 0, offset);
        p.process(new Record<>(
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 1000L + offset));
    }

    private List<JsonNode> forwarded(String child) {
        List<JsonNode> out = new ArrayList<>();
        for (var f : context.forwarded()) {
            if (f.childName().orElse("").equals(child)) {
                try {
                    out.add(JSON.readTree(f.record().value()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    private long storeSize() {
        return store.approximateNumEntries();
    }

    @Test
    void recordsWaitInTheStoreUntilThePunctuatorFlushesThem() {
        EnrichProcessor p = processor(new BatchPolicy(10, 10_000, Duration.ofMillis(50)));
        send(p, 0, "a", "{\"id\":\"a\",\"text\":\"Angela Merkel in Paris\"}");
        send(p, 1, "b", "Acme shares fell");
        assertEquals(0, context.forwarded().size(), "nothing before the batch is due");
        assertEquals(2, storeSize(), "both records are in the changelogged store");

        var punctuator = context.scheduledPunctuators().get(0);
        assertTrue(punctuator.getInterval().toMillis() <= 50);
        sleep(60);
        punctuator.getPunctuator().punctuate(System.currentTimeMillis());

        assertEquals(List.of(BatchListener.Trigger.MAX_WAIT), triggers);
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(2, ents.size());
        assertEquals(
                "Angela Merkel",
                ents.get(0).path("entities").get(0).path("text").asText());
        assertEquals("Paris", ents.get(0).path("entities").get(1).path("text").asText());
        assertEquals("ORG", ents.get(1).path("entities").get(0).path("label").asText());
        List<JsonNode> topics = forwarded(NodeNames.TOPICS_SINK);
        assertEquals("Business", topics.get(1).path("label").asText());
        assertEquals(0, storeSize(), "flushed records are deleted from the store");
    }

    @Test
    void aFullBatchFlushesInProcessWithoutWaiting() {
        EnrichProcessor p = processor(new BatchPolicy(3, 10_000, Duration.ofHours(1)));
        send(p, 0, "a", "Paris");
        send(p, 1, "b", "Paris");
        assertEquals(0, context.forwarded().size());
        send(p, 2, "c", "Paris");
        assertEquals(List.of(BatchListener.Trigger.RECORDS), triggers);
        assertEquals(3, forwarded(NodeNames.ENTITIES_SINK).size());
        assertEquals(3, forwarded(NodeNames.TOPICS_SINK).size());
        assertEquals(0, storeSize());
    }

    @Test
    void withOverlapTheBatchIsForwardedOnceInInputOrderAtALaterCallback() throws Exception {
        // (that the batch runs off the stream thread is shown with held batches in BatchCoordinatorOverlapTest;
        // here the lexicon model may finish before process() returns, so the events may come out in that call)
        EnrichProcessor p = processor(new BatchPolicy(3, 10_000, Duration.ofHours(1)), true);
        send(p, 0, "a", "Paris");
        send(p, 1, "b", "Acme shares fell");
        send(p, 2, "c", "Paris");
        assertEquals(
                forwarded(NodeNames.ENTITIES_SINK).size(), 3 - storeSize(), "a record leaves the store when forwarded");
        assertTrue(registry.current().awaitInFlight(10_000));
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(
                List.of("a", "b", "c"),
                ents.stream().map(n -> n.path("id").asText()).toList(),
                "input order");
        assertEquals("LOC", ents.get(0).path("entities").get(0).path("label").asText());
        assertEquals(3, forwarded(NodeNames.TOPICS_SINK).size());
        assertEquals(0, storeSize());
        assertEquals(List.of(BatchListener.Trigger.RECORDS), triggers);
    }

    @Test
    void theTokenBudgetFlushesBeforeTheRecordLimit() {
        // each text is 7 tokens with [CLS] and [SEP]
        EnrichProcessor p = processor(new BatchPolicy(100, 14, Duration.ofHours(1)));
        send(p, 0, "a", "Paris Paris Paris Paris Paris");
        assertEquals(0, context.forwarded().size());
        send(p, 1, "b", "Paris Paris Paris Paris Paris");
        assertEquals(List.of(BatchListener.Trigger.TOKENS), triggers);
        assertEquals(2, forwarded(NodeNames.ENTITIES_SINK).size());
        // a batch never exceeds the budget: the third record waits for the next one
        send(p, 2, "c", "Paris Paris Paris Paris Paris");
        send(p, 3, "d", "Paris Paris Paris Paris Paris Paris");
        assertEquals(List.of(BatchListener.Trigger.TOKENS, BatchListener.Trigger.TOKENS), triggers);
        assertEquals(3, forwarded(NodeNames.ENTITIES_SINK).size());
        assertEquals(1, storeSize());
    }

    @Test
    void badRecordsGoStraightToTheDlqWithTheirBytes() {
        EnrichProcessor p = processor(new BatchPolicy(10, 10_000, Duration.ofHours(1)));
        send(p, 0, "bad", "{\"text\": 3}");
        var dlq = context.forwarded().stream()
                .filter(f -> f.childName().orElse("").equals(NodeNames.DLQ_SINK))
                .toList();
        assertEquals(1, dlq.size());
        assertEquals("{\"text\": 3}", new String(dlq.get(0).record().value(), StandardCharsets.UTF_8));
        assertEquals(
                "TEXT_NOT_STRING",
                new String(
                        dlq.get(0)
                                .record()
                                .headers()
                                .lastHeader(DeadLetters.ERROR)
                                .value(),
                        StandardCharsets.UTF_8));
        assertEquals(0, storeSize());
    }

    @Test
    void recordsBufferedByAPreviousOwnerAreEnrichedAfterARestore() {
        EnrichProcessor first = processor(new BatchPolicy(10, 10_000, Duration.ofHours(1)));
        send(first, 0, "a", "Angela Merkel");
        send(first, 1, "b", "Acme");
        first.close(); // e.g. revoked: the records stay in the store
        assertEquals(2, storeSize());
        assertEquals(0, context.forwarded().size());

        context.resetForwards();
        EnrichProcessor second = processor(new BatchPolicy(10, 10_000, Duration.ofMillis(1)));
        sleep(5);
        context.scheduledPunctuators()
                .get(context.scheduledPunctuators().size() - 1)
                .getPunctuator()
                .punctuate(System.currentTimeMillis());
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(2, ents.size());
        assertEquals("PER", ents.get(0).path("entities").get(0).path("label").asText());
        assertEquals("b", ents.get(1).path("id").asText());
        assertEquals(0, storeSize());
        second.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
