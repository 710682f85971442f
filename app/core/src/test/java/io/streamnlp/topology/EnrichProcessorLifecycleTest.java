package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
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
    private KeyValueStore<Long, byte[]> partials;

    @BeforeEach
    void setUp() {
        engine = new ControlledEngine(
                OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2));
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

    @AfterEach
    void tearDown() {
        if (registry != null) {
            registry.close();
        }
        engine.close();
    }

    /** Documents per batch, as the coordinator reported them. */
    private final List<Integer> batchDocs = new CopyOnWriteArrayList<>();

    private final List<Long> batchTokens = new CopyOnWriteArrayList<>();

    private EnrichProcessor processor(BatchPolicy policy, boolean overlap, Settings settings) {
        if (registry != null) {
            registry.close();
        }
        registry = new CoordinatorRegistry(
                engine,
                policy,
                (s, o, t, q) -> {
                    batchDocs.add(s.documents());
                    batchTokens.add(s.realTokens());
                },
                overlap);
        return new EnrichProcessor(settings, registry);
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
                    out.add(
                            child.equals(NodeNames.DLQ_SINK)
                                    ? JSON.createObjectNode()
                                            .put(
                                                    "error",
                                                    new String(
                                                            f.record()
                                                                    .headers()
                                                                    .lastHeader(DeadLetters.ERROR)
                                                                    .value(),
                                                            StandardCharsets.UTF_8))
                                            .put(
                                                    "value",
                                                    f.record().value() == null
                                                            ? null
                                                            : new String(
                                                                    f.record().value(), StandardCharsets.UTF_8))
                                    : JSON.readTree(f.record().value()));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    /** A record buffered by an earlier incarnation of the task (what a restore finds), read from offset {@code offset}. */
    private void storeRecord(long seq, String key, String value, long offset) {
        StoredRecord stored = new StoredRecord(
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8),
                List.of(),
                offset,
                "text.input",
                0,
                offset,
                0L);
        store.put(seq, stored.serialize());
    }

    private void tick() {
        var punctuators = context.scheduledPunctuators();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis());
    }

    /**
     * A batch asks for a commit as soon as it is forwarded (its events become visible to read_committed readers), but
     * not while a full batch already waits behind it: a backlog is committed every commit.interval.ms, so a stream
     * that is behind does not pay a transaction per batch. On the stream thread (overlap off) a callback runs one
     * batch, so the backlog here is exact: six restored records, batches of two.
     */
    @Test
    void aBatchIsCommittedAtOnceUnlessAFullBatchWaitsBehindIt() {
        for (long seq = 0; seq < 6; seq++) {
            storeRecord(seq, "k" + seq, "{\"id\":\"" + seq + "\",\"text\":\"Acme\"}", seq);
        }
        EnrichProcessor p = processor(
                new BatchPolicy(2, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        context.setRecordMetadata("text.input", 0, 0);
        p.init(context); // the six records are queued again: three full batches
        List<Boolean> committedAfterEachTick = new ArrayList<>();
        List<Integer> forwardedAfterEachTick = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            context.resetCommit();
            tick(); // runs one batch and forwards it
            committedAfterEachTick.add(context.committed());
            forwardedAfterEachTick.add(forwarded(NodeNames.ENTITIES_SINK).size());
        }
        assertEquals(List.of(2, 4, 6), forwardedAfterEachTick);
        assertEquals(
                List.of(false, false, true),
                committedAfterEachTick,
                "no commit while a full batch waits; the last batch asks for one");
        assertEquals(0, store.approximateNumEntries());

        context.resetCommit();
        send(p, 6, "a", "{\"id\":\"6\",\"text\":\"Angela Merkel\"}");
        send(p, 7, "b", "{\"id\":\"7\",\"text\":\"Acme\"}"); // a full batch, run at once, nothing behind it
        assertEquals(8, forwarded(NodeNames.ENTITIES_SINK).size());
        assertTrue(context.committed(), "nothing waits behind the batch: its commit is asked for at once");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void aRevivedTaskGetsNoResultOfABatchFromBeforeItsClose() throws Exception {
        EnrichProcessor p = processor(
                new BatchPolicy(1, 10_000, Duration.ofHours(1)), true, Settings.from(EnricherConfig.defaults()));
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
        // The old batch is held on its lane: let it finish now, after the revive, where its result must be ignored.
        // The new record's batch goes once a lane is free (a callback does not wait for one): tick until it is back.
        engine.release();
        send(p, 0, "k", "{\"id\":\"new\",\"text\":\"Acme\"}"); // takes sequence number 0 again
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (forwarded(NodeNames.ENTITIES_SINK).isEmpty() && System.nanoTime() < deadline) {
            tick();
            assertTrue(registry.current().awaitInFlight(10_000));
            tick();
        }

        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(
                List.of("new"),
                ents.stream().map(n -> n.path("id").asText()).toList(),
                "only the revived task's own record is emitted, once");
        assertEquals(
                "ORG", ents.get(0).path("entities").get(0).path("label").asText(), "with its own entities: " + ents);
        assertEquals("Acme", ents.get(0).path("entities").get(0).path("text").asText());
        assertEquals(1, forwarded(NodeNames.TOPICS_SINK).size());
        assertEquals(List.of(), forwarded(NodeNames.DLQ_SINK), "the old batch finished; nothing failed");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void aRevivedTaskReRunsItsRestoredRecordsInOrderAndOnce() throws Exception {
        EnrichProcessor p = processor(
                new BatchPolicy(1, 10_000, Duration.ofHours(1)), true, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        engine.holdNext();
        send(p, 0, "k", "{\"id\":\"a\",\"text\":\"Angela Merkel\"}");
        assertTrue(engine.awaitEntered(10_000));
        p.close();
        context.resetForwards();
        p.init(context); // "a" restored from the store and queued again
        engine.release(); // the old batch, held since holdNext(), finishes now, after the revive
        send(p, 1, "k", "{\"id\":\"b\",\"text\":\"Acme\"}");
        // A callback does not wait for a lane: until the old batch has let go of them, the restored record's batch
        // stays queued. Tick until both are out (a fixed two ticks once lost that race on a loaded machine).
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (forwarded(NodeNames.ENTITIES_SINK).size() < 2 && System.nanoTime() < deadline) {
            assertTrue(registry.current().awaitInFlight(10_000));
            tick();
        }
        assertEquals(
                List.of("a", "b"),
                forwarded(NodeNames.ENTITIES_SINK).stream()
                        .map(n -> n.path("id").asText())
                        .toList());
        assertEquals(
                "PER",
                forwarded(NodeNames.ENTITIES_SINK)
                        .get(0)
                        .path("entities")
                        .get(0)
                        .path("label")
                        .asText());
    }

    @Test
    void aRestoredRecordThatNoLongerTokenizesIsDeadLetteredOnceAndDeleted() {
        storeRecord(3L, "k", "{\"id\":\"x\",\"text\":\"BROKEN here\"}", 7L);
        engine.unencodableMarker = "BROKEN";
        EnrichProcessor p = processor(
                new BatchPolicy(10, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        // A real StreamTask runs init() with a dummy record context in place (TaskReviveTest shows it): so does this.
        context.setRecordMetadata("text.input", 0, 0);
        p.init(context);
        assertEquals(0, context.forwarded().size(), "nothing is forwarded from init()");
        tick();
        List<JsonNode> dlq = forwarded(NodeNames.DLQ_SINK);
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
        EnrichProcessor p = processor(
                new BatchPolicy(1, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        send(p, 0, "z", "\u200B");
        send(p, 1, "c", "\u0001\u0002");
        send(p, 2, "ok", "Paris");
        List<JsonNode> dlq = forwarded(NodeNames.DLQ_SINK);
        assertEquals(
                List.of("UNTOKENIZABLE", "UNTOKENIZABLE"),
                dlq.stream().map(n -> n.path("error").asText()).toList());
        assertEquals(
                List.of("\u200B", "\u0001\u0002"),
                dlq.stream().map(n -> n.path("value").asText()).toList());
        assertEquals(1, forwarded(NodeNames.TOPICS_SINK).size(), "only the record with content gets a topic");
        assertEquals(1, forwarded(NodeNames.ENTITIES_SINK).size());
    }

    @Test
    void aRecordWhoseEventWouldExceedTheTopicLimitIsDeadLetteredAndTheNextIsEnriched() {
        Settings small = Settings.from(EnricherConfig.defaults()).withMaxEventBytes(2_000);
        EnrichProcessor p = processor(new BatchPolicy(1, 100_000, Duration.ofHours(1)), false, small);
        p.init(context);
        String dense = "Paris ".repeat(100).trim(); // 600 bytes in, ~100 entities out (far over 2,000 bytes)
        send(p, 0, "big", dense);
        send(p, 1, "ok", "Paris");
        List<JsonNode> dlq = forwarded(NodeNames.DLQ_SINK);
        assertEquals(1, dlq.size());
        assertEquals("OUTPUT_TOO_LARGE", dlq.get(0).path("error").asText());
        assertEquals(dense, dlq.get(0).path("value").asText(), "the original bytes");
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(
                List.of("ok"), ents.stream().map(n -> n.path("id").asText()).toList(), "no half-written record");
        assertEquals(1, forwarded(NodeNames.TOPICS_SINK).size());
        assertEquals(0, store.approximateNumEntries());
    }

    private static final String DOC = "Angela Merkel met the Acme board in Paris. ".repeat(120)
            + "Then\nAcme left Paris!\n" + "Angela Merkel stayed in Paris? Yes. ".repeat(60);

    /** Ticks until the store is empty (every record forwarded), at most 20 s. */
    private void drive(EnrichProcessor p) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (store.approximateNumEntries() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(2);
            tick();
        }
        assertEquals(0, store.approximateNumEntries(), "every record forwarded");
    }

    private JsonNode enrichAlone(BatchPolicy policy, boolean overlap) throws InterruptedException {
        context.resetForwards();
        EnrichProcessor p = processor(policy, overlap, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        send(p, 0, "doc", "{\"id\":\"doc\",\"text\":\"" + DOC.replace("\n", "\\n") + "\"}");
        drive(p);
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(1, ents.size(), "one entities event");
        assertEquals(1, forwarded(NodeNames.TOPICS_SINK).size(), "one topic event");
        p.close();
        return ents.get(0);
    }

    @Test
    void aLongDocumentIsInferredInSegmentsOfOneBudgetEachWithTheEntitiesOfTheWholeText() throws Exception {
        JsonNode whole = enrichAlone(new BatchPolicy(8, 1_000_000, Duration.ofMillis(1)), false);
        assertEquals(List.of(1), batchDocs, "one batch for the whole text");
        for (boolean overlap : new boolean[] {false, true}) {
            batchDocs.clear();
            JsonNode segmented = enrichAlone(new BatchPolicy(8, 300, Duration.ofMillis(1)), overlap);
            assertTrue(batchDocs.size() >= 5, "several batches, one segment each: " + batchDocs);
            assertEquals(
                    whole.path("entities"),
                    segmented.path("entities"),
                    "same entities, same offsets (overlap=" + overlap + ")");
        }
        assertEquals(120 * 3 + 2 + 60 * 2, whole.path("entities").size());
        int at = DOC.codePointCount(0, DOC.indexOf("Acme left"));
        assertTrue(
                StreamSupport.stream(whole.path("entities").spliterator(), false)
                        .anyMatch(e -> e.path("start").asInt() == at
                                && e.path("label").asText().equals("ORG")),
                "offsets in the whole text");
    }

    @Test
    void aDocumentInterruptedMidwayResumesFromItsFinishedSegmentsAndIsEmittedOnce() throws Exception {
        JsonNode reference = enrichAlone(new BatchPolicy(8, 300, Duration.ofMillis(1)), false);
        int segments = batchDocs.size();
        context.resetForwards();
        batchDocs.clear();
        BatchPolicy policy = new BatchPolicy(8, 300, Duration.ofHours(1));
        EnrichProcessor first = processor(policy, false, Settings.from(EnricherConfig.defaults()));
        first.init(context);
        send(first, 0, "doc", "{\"id\":\"doc\",\"text\":\"" + DOC.replace("\n", "\\n") + "\"}");
        tick();
        tick();
        int before = batchDocs.size();
        assertTrue(before >= 1 && before < segments, "part of the document is done: " + before + " of " + segments);
        assertEquals(1, partials.approximateNumEntries(), "its finished segments are kept in the changelogged store");
        assertEquals(0, forwarded(NodeNames.ENTITIES_SINK).size());
        first.close(); // the instance dies; the next owner restores both stores

        EnrichProcessor next = processor(
                new BatchPolicy(8, 300, Duration.ofMillis(1)), false, Settings.from(EnricherConfig.defaults()));
        next.init(context);
        drive(next);
        assertEquals(segments - before, batchDocs.size() - before, "only the missing segments ran again: " + batchDocs);
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(1, ents.size());
        assertEquals(reference.path("entities"), ents.get(0).path("entities"));
        assertEquals(1, forwarded(NodeNames.TOPICS_SINK).size());
        assertEquals(0, partials.approximateNumEntries());
    }

    @Test
    void aShortRecordOfAnotherKeyIsNotHeldBehindALongDocumentButOneOfTheSameKeyIs() throws Exception {
        // batches of one item, so the long document's segments and the short records run in batches of their own
        EnrichProcessor p = processor(
                new BatchPolicy(1, 300, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        send(p, 0, "doc", "{\"id\":\"doc\",\"text\":\"" + DOC.replace("\n", "\\n") + "\"}");
        send(p, 1, "other", "{\"id\":\"short\",\"text\":\"Acme\"}");
        send(p, 2, "doc", "{\"id\":\"same-key\",\"text\":\"Paris\"}");
        tick();
        List<String> ids = forwarded(NodeNames.ENTITIES_SINK).stream()
                .map(n -> n.path("id").asText())
                .toList();
        assertEquals(
                List.of("short"),
                ids,
                "the other key's record is out while the document still runs; its key's next record waits");
        drive(p);
        ids = forwarded(NodeNames.ENTITIES_SINK).stream()
                .map(n -> n.path("id").asText())
                .toList();
        assertEquals(List.of("short", "doc", "same-key"), ids, "the key's events in input order, each once");
        assertEquals(3, forwarded(NodeNames.TOPICS_SINK).size());
    }

    @Test
    void aStretchDenserThanTheTextsAverageIsCutFinerSoEveryBatchStaysNearItsBudget() throws Exception {
        String doc = "Paris is a fine city to live in. ".repeat(600) + "(),;:[]{}< ".repeat(100) + "Acme .";
        EnrichProcessor p = processor(
                new BatchPolicy(8, 300, Duration.ofMillis(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        send(p, 0, "mixed", doc);
        drive(p);
        assertTrue(batchTokens.size() > 10, "segmented: " + batchTokens);
        assertTrue(
                batchTokens.stream().allMatch(t -> t <= 450),
                "every batch within 1.5 x the 300-token budget: " + batchTokens);
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(1, ents.size());
        assertEquals(601, ents.get(0).path("entities").size(), "600 Paris and one Acme");
    }

    @Test
    void aSegmentedDocumentWhoseResultsOutgrowTheEventLimitIsDeadLetteredBeforeItsPartialsDo() throws Exception {
        Settings small = Settings.from(EnricherConfig.defaults()).withMaxEventBytes(4_000);
        EnrichProcessor p = processor(new BatchPolicy(8, 300, Duration.ofMillis(1)), false, small);
        p.init(context);
        String dense = "Paris . ".repeat(3_000); // 3,000 entities: far more than 4,000 bytes of event
        send(p, 0, "dense", dense);
        send(p, 1, "ok", "Paris");
        long deadline = System.nanoTime() + 20_000_000_000L;
        // the short record of another key may come out first (order is kept per key): wait for both
        while ((forwarded(NodeNames.ENTITIES_SINK).isEmpty()
                        || forwarded(NodeNames.DLQ_SINK).isEmpty())
                && System.nanoTime() < deadline) {
            Thread.sleep(2);
            tick();
            try (var it = partials.all()) {
                while (it.hasNext()) {
                    assertTrue(it.next().value.length <= 4_000, "partials never outgrow the limit");
                }
            }
        }
        List<JsonNode> dlq = forwarded(NodeNames.DLQ_SINK);
        assertEquals(
                List.of("OUTPUT_TOO_LARGE"),
                dlq.stream().map(n -> n.path("error").asText()).toList());
        assertEquals(
                List.of("ok"),
                forwarded(NodeNames.ENTITIES_SINK).stream()
                        .map(n -> n.path("id").asText())
                        .toList());
        drive(p);
        assertEquals(0, partials.approximateNumEntries());
    }

    @Test
    void aDeadLetterTooLargeForItsTopicIsWrittenWithoutItsValueAndSaysSo() {
        Settings small = Settings.from(EnricherConfig.defaults()).withMaxEventBytes(2_000);
        EnrichProcessor p = processor(new BatchPolicy(1, 100_000, Duration.ofHours(1)), false, small);
        p.init(context);
        // a record the input topic took (compressed, or with a larger limit) that the DLQ topic cannot take as it is
        String big = "{\"id\":\"big\", not json " + "x".repeat(3_000);
        context.setRecordMetadata("text.input", 0, 0);
        Record<byte[], byte[]> r =
                new Record<>("k".getBytes(StandardCharsets.UTF_8), big.getBytes(StandardCharsets.UTF_8), 1000L);
        r.headers().add("trace", "t".repeat(100).getBytes(StandardCharsets.UTF_8));
        p.process(r);
        send(p, 1, "ok", "Paris");
        var dlq = context.forwarded().stream()
                .filter(f -> f.childName().orElse("").equals(NodeNames.DLQ_SINK))
                .toList();
        assertEquals(1, dlq.size());
        Record<? extends byte[], ? extends byte[]> letter = dlq.get(0).record();
        assertEquals(null, letter.value(), "the value is left out");
        assertEquals(
                Integer.toString(big.length()),
                new String(letter.headers().lastHeader(Outputs.VALUE_OMITTED).value(), StandardCharsets.UTF_8));
        assertEquals(
                "0",
                new String(
                        letter.headers().lastHeader(DeadLetters.SOURCE_OFFSET).value(), StandardCharsets.UTF_8),
                "where the original is");
        assertEquals(
                "INVALID_JSON",
                new String(letter.headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8));
        assertTrue(letter.headers().lastHeader("trace") != null, "the original headers fit, so they stay");
        assertTrue(
                Outputs.size(letter.key(), letter.value(), letter.headers()) + Settings.RECORD_OVERHEAD_BYTES <= 2_000);
        assertEquals(1, forwarded(NodeNames.ENTITIES_SINK).size(), "the stream goes on");
    }

    @Test
    void aHugeTextIsCutByCharsAndNeverTokenizedWhole() throws Exception {
        EnrichProcessor p = processor(
                new BatchPolicy(8, 64, Duration.ofMillis(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        String doc = "Paris is nice. ".repeat(400); // 6,000 chars against a 64-token budget
        send(p, 0, "huge", doc);
        drive(p);
        assertTrue(
                engine.longestEncoded.get() <= 64 * 16,
                "no text of over 16 chars per budget token is tokenized whole: " + engine.longestEncoded.get());
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(1, ents.size());
        assertEquals(400, ents.get(0).path("entities").size(), "every Paris, once");
    }

    @Test
    void aRestoredRecordRejectedAfterAConfigChangeTakesItsPartialsWithIt() {
        storeRecord(3L, "k", "{\"id\":\"x\",\"body\":\"the text was in another field then\"}", 7L);
        partials.put(3L, new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 0, 0}); // one unfinished segment
        partials.put(9L, new byte[] {1, 0, 0, 0, 1, 0, 0, 0, 0, 0}); // an orphan: no buffered record
        EnrichProcessor p = processor(
                new BatchPolicy(1, 10_000, Duration.ofHours(1)), false, Settings.from(EnricherConfig.defaults()));
        context.setRecordMetadata("text.input", 0, 0);
        p.init(context);
        tick();
        assertEquals(1, forwarded(NodeNames.DLQ_SINK).size());
        assertEquals(0, store.approximateNumEntries());
        assertEquals(0, partials.approximateNumEntries(), "no partials entry outlives its record");
        send(p, 0, "k", "Paris");
        assertEquals(1, forwarded(NodeNames.ENTITIES_SINK).size(), "the next record is enriched");
    }

    @Test
    void aDocumentWhoseLastSegmentsHoldNoContentIsForwardedOnAQuietPartition() throws Exception {
        EnrichProcessor p = processor(
                new BatchPolicy(8, 64, Duration.ofMillis(1)), false, Settings.from(EnricherConfig.defaults()));
        p.init(context);
        // several content segments, then segments of zero-width characters only, which finish without inference once
        // the feeding reaches them: after the last content segment came back, with nothing else arriving
        String doc = "Paris is nice. ".repeat(225) + "\u200B".repeat(2_000);
        send(p, 0, "tail", doc);
        drive(p);
        List<JsonNode> ents = forwarded(NodeNames.ENTITIES_SINK);
        assertEquals(1, ents.size());
        assertEquals(225, ents.get(0).path("entities").size());
    }
}
