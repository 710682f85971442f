package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.batching.StoredRecord;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.ControlledEngine;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor through a task's lifecycle as Kafka Streams drives it: close and init again on the same object (a
 * revived task), restores, and records whose events cannot be written. MockProcessorContext here; the revive is
 * also run through a real StreamTask in {@link TaskReviveTest}.
 */
class EnrichProcessorLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private ControlledEngine engine;
    private CoordinatorRegistry registry;
    private MockProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Long, byte[]> store;

    @BeforeEach
    void setUp() {
        engine = new ControlledEngine(OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2));
        context = new MockProcessorContext<>();
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EnricherTopology.BUFFER_STORE), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @AfterEach
    void tearDown() {
        if (registry != null) {
            registry.close();
        }
        engine.close();
    }

    private EnrichProcessor processor(BatchPolicy policy, boolean overlap, Settings settings) {
        registry = new CoordinatorRegistry(engine, policy, (s, o, t, q) -> {}, overlap);
        return new EnrichProcessor(settings, registry);
    }

    private void send(EnrichProcessor p, long offset, String key, String value) {
        context.setRecordMetadata("text.input", 0, offset);
        p.process(new Record<>(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 1000L + offset));
    }

    private List<JsonNode> forwarded(String child) {
        List<JsonNode> out = new ArrayList<>();
        for (var f : context.forwarded()) {
            if (f.childName().orElse("").equals(child)) {
                try {
                    out.add(child.equals(EnricherTopology.DLQ_SINK)
                            ? JSON.createObjectNode().put("error", new String(f.record().headers().lastHeader(DeadLetters.ERROR).value(),
                                    StandardCharsets.UTF_8)).put("value", new String(f.record().value(), StandardCharsets.UTF_8))
                            : JSON.readTree(f.record().value()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    private void tick() {
        var punctuators = context.scheduledPunctuators();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis());
    }

    @Test
    void aRevivedTaskGetsNoResultOfABatchFromBeforeItsClose() throws Exception {
        EnrichProcessor p = processor(new BatchPolicy(1, 10_000, Duration.ofHours(1)), true, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        engine.holdNext();
        send(p, 0, "k", "{\"id\":\"old\",\"text\":\"Angela Merkel\"}");
        assertTrue(engine.awaitEntered(10_000), "the first batch is running");
        // closeDirtyAndRevive: close, the store wiped and restored from a changelog that never got the cached put,
        // then init on the same object. The record is read again from its uncommitted offset later.
        p.close();
        store.delete(0L);
        context.resetForwards();
        p.init(context);
        send(p, 0, "k", "{\"id\":\"new\",\"text\":\"Acme\"}"); // takes sequence number 0 again
        engine.release();
        assertTrue(registry.current().awaitInFlight(10_000));
        tick();

        List<JsonNode> ents = forwarded(EnricherTopology.ENTITIES_SINK);
        assertEquals(List.of("new"), ents.stream().map(n -> n.path("id").asText()).toList(),
                "only the revived task's own record is emitted, once");
        assertEquals("ORG", ents.get(0).path("entities").get(0).path("label").asText(), "with its own entities: " + ents);
        assertEquals("Acme", ents.get(0).path("entities").get(0).path("text").asText());
        assertEquals(1, forwarded(EnricherTopology.TOPICS_SINK).size());
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void aRevivedTaskReRunsItsRestoredRecordsInOrderAndOnce() throws Exception {
        EnrichProcessor p = processor(new BatchPolicy(1, 10_000, Duration.ofHours(1)), true, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        engine.holdNext();
        send(p, 0, "k", "{\"id\":\"a\",\"text\":\"Angela Merkel\"}");
        assertTrue(engine.awaitEntered(10_000));
        p.close();
        context.resetForwards();
        p.init(context); // "a" restored from the store and queued again
        send(p, 1, "k", "{\"id\":\"b\",\"text\":\"Acme\"}");
        engine.release();
        assertTrue(registry.current().awaitInFlight(10_000));
        tick();
        assertTrue(registry.current().awaitInFlight(10_000));
        tick();
        assertEquals(List.of("a", "b"), forwarded(EnricherTopology.ENTITIES_SINK).stream().map(n -> n.path("id").asText()).toList());
        assertEquals("PER", forwarded(EnricherTopology.ENTITIES_SINK).get(0).path("entities").get(0).path("label").asText());
    }

    @Test
    void aRestoredRecordThatNoLongerTokenizesIsDeadLetteredOnceAndDeleted() {
        StoredRecord stored = new StoredRecord("k".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"x\",\"text\":\"BROKEN here\"}".getBytes(StandardCharsets.UTF_8), List.of(), 5L, "text.input", 0, 7L, 0L);
        store.put(3L, stored.serialize());
        engine.unencodableMarker = "BROKEN";
        EnrichProcessor p = processor(new BatchPolicy(10, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        // A real StreamTask runs init() with a dummy record context in place (TaskReviveTest shows it): so does this.
        context.setRecordMetadata("text.input", 0, 0);
        p.init(context);
        assertEquals(0, context.forwarded().size(), "nothing is forwarded from init()");
        tick();
        List<JsonNode> dlq = forwarded(EnricherTopology.DLQ_SINK);
        assertEquals(1, dlq.size());
        assertEquals("UNTOKENIZABLE", dlq.get(0).path("error").asText());
        assertEquals(0, store.approximateNumEntries(), "deleted in the same callback as its dead letter");

        p.close(); // a later restore finds nothing to dead-letter again
        context.resetForwards();
        p.init(context);
        tick();
        assertEquals(0, context.forwarded().size());
    }

    @Test
    void textsWithoutContentTokensAreUntokenizableNotAConfidentTopic() {
        EnrichProcessor p = processor(new BatchPolicy(1, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        send(p, 0, "z", "\u200B");
        send(p, 1, "c", "\u0001\u0002");
        send(p, 2, "ok", "Paris");
        List<JsonNode> dlq = forwarded(EnricherTopology.DLQ_SINK);
        assertEquals(List.of("UNTOKENIZABLE", "UNTOKENIZABLE"), dlq.stream().map(n -> n.path("error").asText()).toList());
        assertEquals(List.of("\u200B", "\u0001\u0002"), dlq.stream().map(n -> n.path("value").asText()).toList());
        assertEquals(1, forwarded(EnricherTopology.TOPICS_SINK).size(), "only the record with content gets a topic");
        assertEquals(1, forwarded(EnricherTopology.ENTITIES_SINK).size());
    }

    @Test
    void aRecordWhoseEventWouldExceedTheTopicLimitIsDeadLetteredAndTheNextIsEnriched() {
        Settings small = Settings.from(EnricherConfig.defaults()).withMaxEventBytes(2_000);
        EnrichProcessor p = processor(new BatchPolicy(1, 100_000, Duration.ofHours(1)), false, small);
        p.init(context);
        String dense = "Paris ".repeat(100).trim(); // 600 bytes in, ~100 entities out (far over 2,000 bytes)
        send(p, 0, "big", dense);
        send(p, 1, "ok", "Paris");
        List<JsonNode> dlq = forwarded(EnricherTopology.DLQ_SINK);
        assertEquals(1, dlq.size());
        assertEquals("OUTPUT_TOO_LARGE", dlq.get(0).path("error").asText());
        assertEquals(dense, dlq.get(0).path("value").asText(), "the original bytes");
        List<JsonNode> ents = forwarded(EnricherTopology.ENTITIES_SINK);
        assertEquals(List.of("ok"), ents.stream().map(n -> n.path("id").asText()).toList(), "no half-written record");
        assertEquals(1, forwarded(EnricherTopology.TOPICS_SINK).size());
        assertEquals(0, store.approximateNumEntries());
    }
}
