package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The processor's contracts against a real KRaft broker, with a lexicon ONNX graph whose outputs are
 * known, so every expected entity and topic is exact.
 */
@WithKafka
class EnrichmentPipelineIT {
    static TestBroker kafka;
    static final Path BUNDLE = ItBundles.lexiconBundle();

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Map<String, JsonNode> byId(List<ConsumerRecord<byte[], byte[]>> rs) {
        Map<String, JsonNode> m = new HashMap<>();
        for (var r : rs) {
            JsonNode n = EventCollector.json(r);
            m.put(n.path("id").asText(), n);
        }
        return m;
    }

    private static void assertEntity(JsonNode ev, int index, String label, String text) {
        JsonNode e = ev.path("entities").get(index);
        assertNotNull(e, "entity " + index + " of " + ev);
        String source = ev.path("text").asText();
        int start = source.indexOf(text);
        assertEquals(label, e.path("label").asText(), ev.toString());
        assertEquals(text, e.path("text").asText(), ev.toString());
        assertEquals(source.codePointCount(0, start), e.path("start").asInt(), ev.toString());
        assertEquals(
                source.codePointCount(0, start + text.length()), e.path("end").asInt(), ev.toString());
        assertTrue(e.path("score").asDouble() > 0.5 && e.path("score").asDouble() <= 1.0, ev.toString());
    }

    @Test
    void jsonAndPlainTextBecomeEntityAndTopicEventsWithExtrasCarried(TestNames names) throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 2, Map.of())) {
            p.start();
            p.send(
                    "k-json",
                    "{\"id\":\"j1\",\"text\":\"Angela Merkel visited Paris with Acme executives after the election.\","
                            + "\"lang\":\"de\",\"meta\":{\"source\":\"wire\",\"n\":[1,2]},\"label\":\"clash\"}");
            p.send("p1", "Football fans in Paris cheered.");
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= 2
                                        && EventCollector.count(rs, p.topics.topics()) >= 2,
                                Duration.ofSeconds(60)),
                        "events arrived");
                Map<String, JsonNode> ents = byId(c.records(p.topics.entities()));
                Map<String, JsonNode> tops = byId(c.records(p.topics.topics()));

                JsonNode j1 = ents.get("j1");
                assertEquals(3, j1.path("entities").size(), j1.toString());
                assertEntity(j1, 0, "PER", "Angela Merkel");
                assertEntity(j1, 1, "LOC", "Paris");
                assertEntity(j1, 2, "ORG", "Acme");
                assertEquals("de", j1.path("lang").asText());
                assertEquals("wire", j1.path("meta").path("source").asText());
                assertEquals("clash", j1.path("label").asText(), "no clash on the entities event");
                assertTrue(j1.path("model").asText().startsWith("lexicon"), j1.toString());
                assertTrue(j1.has("latencyMs"));

                JsonNode t1 = tops.get("j1");
                assertEquals("World", t1.path("label").asText(), t1.toString());
                assertEquals(List.of("World", "Sports", "Business", "Sci/Tech"), fieldNames(t1.path("scores")));
                double sum = 0;
                for (JsonNode s : t1.path("scores")) sum += s.asDouble();
                assertEquals(1.0, sum, 1e-3);
                assertEquals("clash", t1.path("input").path("label").asText(), "clashing extra kept under input");
                assertEquals("de", t1.path("lang").asText());

                JsonNode p1 = ents.get("p1");
                assertEquals(1, p1.path("entities").size(), p1.toString());
                assertEntity(p1, 0, "LOC", "Paris");
                assertEquals("Sports", tops.get("p1").path("label").asText());
                // output key = input key
                for (var r : c.records(p.topics.entities())) {
                    String id = EventCollector.json(r).path("id").asText();
                    assertEquals(id.equals("j1") ? "k-json" : "p1", new String(r.key(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void everyBadInputKindGoesToTheDlqWhileGoodRecordsAroundItAreEnriched(TestNames names) throws Exception {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("b-json", "{\"id\":\"x\",\"text\":");
        bad.put("b-missing", "{\"id\":\"x\"}");
        bad.put("b-null", "{\"text\":null}");
        bad.put("b-number", "{\"text\":42}");
        bad.put("b-object", "{\"text\":{\"a\":\"b\"}}");
        bad.put("b-empty", "{\"text\":\"\"}");
        bad.put("b-blank", "  \t ");
        bad.put("b-nul", "{\"text\":\"a\\u0000b\"}");
        // strict JSON: a second object or a second "text" would otherwise be silently dropped
        bad.put("b-trailing", "{\"id\":\"a\",\"text\":\"Paris\"} {\"id\":\"b\",\"text\":\"Berlin\"}");
        bad.put("b-dupkey", "{\"text\":\"Paris\",\"text\":\"Berlin\"}");
        Map<String, String> expected = new HashMap<>(Map.of(
                "b-json",
                "INVALID_JSON",
                "b-missing",
                "MISSING_TEXT",
                "b-null",
                "TEXT_NOT_STRING",
                "b-number",
                "TEXT_NOT_STRING",
                "b-object",
                "TEXT_NOT_STRING",
                "b-empty",
                "EMPTY_TEXT",
                "b-blank",
                "EMPTY_TEXT",
                "b-nul",
                "BINARY_TEXT"));
        expected.put("b-trailing", "INVALID_JSON");
        expected.put("b-dupkey", "INVALID_JSON");
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 1, Map.of(ConfigKeys.INPUT_MAX_BYTES, "2000"))) {
            p.start();
            int good = 0;
            for (var e : bad.entrySet()) {
                p.send("g" + good, "{\"text\":\"Paris " + good + "\"}");
                good++;
                p.send(e.getKey(), e.getValue());
            }
            p.send(null, "b-nullvalue", (byte[]) null);
            p.send(null, "b-utf8", new byte[] {'P', 'a', (byte) 0xC3, (byte) 0x28});
            byte[] huge = new byte[2001];
            Arrays.fill(huge, (byte) 'a');
            p.send(null, "b-large", huge);
            p.send("g-last", "Paris again");
            good++;
            p.flush();
            int badCount = bad.size() + 3;
            final int goodCount = good;
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.dlq()) >= badCount
                                        && EventCollector.count(rs, p.topics.entities()) >= goodCount
                                        && EventCollector.count(rs, p.topics.topics()) >= goodCount,
                                Duration.ofSeconds(60)),
                        "got " + c.records().size() + " records");
                c.drainFor(Duration.ofSeconds(1));
                Map<String, ConsumerRecord<byte[], byte[]>> dlq = new HashMap<>();
                for (var r : c.records(p.topics.dlq())) {
                    dlq.put(new String(r.key(), StandardCharsets.UTF_8), r);
                }
                assertEquals(badCount, c.records(p.topics.dlq()).size());
                expected.forEach((key, reason) -> {
                    var r = dlq.get(key);
                    assertNotNull(r, key);
                    assertEquals(reason, header(r, DeadLetters.ERROR), key);
                    assertArrayEquals(
                            bad.get(key).getBytes(StandardCharsets.UTF_8), r.value(), key + " original bytes");
                    assertFalse(header(r, DeadLetters.REASON).isBlank());
                    assertEquals(p.topics.input(), header(r, DeadLetters.SOURCE_TOPIC));
                    assertNotNull(header(r, DeadLetters.SOURCE_OFFSET));
                });
                assertTrue(
                        header(dlq.get("b-trailing"), DeadLetters.REASON).contains("trailing content"),
                        header(dlq.get("b-trailing"), DeadLetters.REASON));
                assertTrue(
                        header(dlq.get("b-dupkey"), DeadLetters.REASON).contains("text"),
                        header(dlq.get("b-dupkey"), DeadLetters.REASON));
                assertEquals("NULL_VALUE", header(dlq.get("b-nullvalue"), DeadLetters.ERROR));
                assertEquals(null, dlq.get("b-nullvalue").value());
                assertEquals("INVALID_UTF8", header(dlq.get("b-utf8"), DeadLetters.ERROR));
                assertArrayEquals(
                        new byte[] {'P', 'a', (byte) 0xC3, (byte) 0x28},
                        dlq.get("b-utf8").value());
                assertEquals("TOO_LARGE", header(dlq.get("b-large"), DeadLetters.ERROR));
                assertArrayEquals(huge, dlq.get("b-large").value());
                Set<String> goodIds = new HashSet<>();
                for (var r : c.records(p.topics.entities())) {
                    JsonNode ev = EventCollector.json(r);
                    goodIds.add(ev.path("id").asText());
                    assertEquals("LOC", ev.path("entities").get(0).path("label").asText(), ev.toString());
                }
                assertEquals(goodCount, goodIds.size());
                assertEquals(goodCount, c.records(p.topics.entities()).size());
                assertEquals(goodCount, c.records(p.topics.topics()).size());
            }
            assertEquals(
                    org.apache.kafka.streams.KafkaStreams.State.RUNNING,
                    p.app.streams().state(),
                    "the stream never stops for bad records");
        }
    }

    private static void assertArrayEquals(byte[] expected, byte[] actual, String... msg) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, msg.length > 0 ? msg[0] : null);
    }

    @Test
    void readCommittedConsumerSeesEachInputExactlyOncePerTopic(TestNames names) throws Exception {
        int n = 300;
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 4, Map.of(ConfigKeys.COMMIT_INTERVAL_MS, "50"))) {
            p.start();
            for (int i = 0; i < n; i++) {
                p.send(
                        "id-" + i,
                        i % 3 == 0
                                ? "{\"id\":\"id-" + i + "\",\"text\":\"Acme shares rose in Paris\"}"
                                : "Angela Merkel " + i);
            }
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= n
                                && EventCollector.count(rs, p.topics.topics()) >= n,
                        Duration.ofSeconds(120)));
                c.drainFor(Duration.ofSeconds(2));
                for (String topic : List.of(p.topics.entities(), p.topics.topics())) {
                    List<String> ids = c.records(topic).stream()
                            .map(r -> EventCollector.json(r).path("id").asText())
                            .toList();
                    assertEquals(n, ids.size(), topic + " has one event per input");
                    assertEquals(n, new HashSet<>(ids).size(), topic + " has no duplicates");
                }
                assertEquals(0, c.records(p.topics.dlq()).size());
            }
        }
    }

    @Test
    void twoStreamThreadsShareTheLanesAndEveryKeyKeepsItsOrder(TestNames names) throws Exception {
        int keys = 8;
        int perKey = 40;
        // small batches, several in flight at once: two stream threads, two lanes, overlap on (the default)
        try (Pipeline p = new Pipeline(
                kafka,
                names,
                BUNDLE,
                4,
                Map.of(
                        ConfigKeys.NUM_STREAM_THREADS,
                        "2",
                        ConfigKeys.INFERENCE_SESSIONS,
                        "2",
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "4"))) {
            p.start();
            for (int i = 0; i < perKey; i++) {
                for (int k = 0; k < keys; k++) {
                    p.send("k" + k, "{\"id\":\"k" + k + "-" + i + "\",\"text\":\"Angela Merkel in Paris " + i + "\"}");
                }
            }
            p.flush();
            int n = keys * perKey;
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= n, Duration.ofSeconds(120)));
                c.drainFor(Duration.ofSeconds(1));
                Map<String, List<Integer>> seen = new HashMap<>();
                for (var r : c.records(p.topics.entities())) {
                    JsonNode ev = EventCollector.json(r);
                    String[] id = ev.path("id").asText().split("-");
                    seen.computeIfAbsent(id[0], x -> new ArrayList<>()).add(Integer.parseInt(id[1]));
                    assertEntity(ev, 0, "PER", "Angela Merkel");
                }
                assertEquals(keys, seen.size());
                for (var e : seen.entrySet()) { // a key's events: once each, in input order
                    List<Integer> expected = new ArrayList<>();
                    for (int i = 0; i < perKey; i++) {
                        expected.add(i);
                    }
                    assertEquals(expected, e.getValue(), "events of key " + e.getKey());
                }
            }
            assertTrue(p.batches.size() >= n / 4, "batches of at most 4 records: " + p.batches.size());
            assertEquals(0, p.app.registry().inFlightBatches());
        }
    }

    @Test
    void recordsFromSeveralPartitionsShareOneBatch(TestNames names) throws Exception {
        int partitions = 4;
        int n = 16;
        // A long max.wait and no idle flush: only the record limit can flush, so the batch must fill across partitions.
        try (Pipeline p = new Pipeline(
                kafka,
                names,
                BUNDLE,
                partitions,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        Integer.toString(n),
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "20000",
                        ConfigKeys.BATCH_IDLE_MS,
                        "0"))) {
            p.start();
            for (int i = 0; i < n; i++) {
                p.send(i % partitions, "r" + i, ("Paris " + i).getBytes(StandardCharsets.UTF_8));
            }
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= n, Duration.ofSeconds(60)));
            }
            var full = p.batches.stream()
                    .filter(b -> b.trigger() == BatchListener.Trigger.RECORDS)
                    .findFirst();
            assertEquals(1, p.batches.size(), p.batches.toString());
            assertTrue(full.isPresent(), "the batch was flushed by the record limit: " + p.batches);
            assertEquals(n, full.get().stats().documents());
            assertEquals(partitions, full.get().owners(), "records of every partition in one batch: " + full.get());
        }
    }

    @Test
    void aLoneRecordIsFlushedWithinMaxWait(TestNames names) throws Exception {
        long maxWaitMs = 1000;
        // idle flush off: the max.wait punctuation alone must flush the lone record
        try (Pipeline p = new Pipeline(
                kafka,
                names,
                BUNDLE,
                1,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "64",
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        Long.toString(maxWaitMs),
                        ConfigKeys.BATCH_IDLE_MS,
                        "0"))) {
            p.start();
            p.send("alone", "Angela Merkel in Paris");
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= 1, Duration.ofSeconds(30)));
            }
            assertEquals(1, p.batches.size(), p.batches.toString());
            Pipeline.Batch b = p.batches.get(0);
            assertEquals(1, b.stats().documents());
            assertEquals(BatchListener.Trigger.MAX_WAIT, b.trigger(), b.toString());
            long tickNanos = p.app.registry().policy().tick().toNanos();
            // flushed at max.wait: not before (less a tick), nor much after. The slack is for a busy machine (test
            // JVMs run side by side), where a punctuation can come late; a flush at twice max.wait still fails.
            long slackNanos = Duration.ofMillis(250).toNanos();
            assertTrue(
                    b.queueNanos() >= Duration.ofMillis(maxWaitMs).toNanos() - tickNanos
                            && b.queueNanos() <= Duration.ofMillis(maxWaitMs).toNanos() + 2 * tickNanos + slackNanos,
                    "queued " + b.queueNanos() / 1e6 + " ms, max.wait " + maxWaitMs + " ms");
        }
    }
}
