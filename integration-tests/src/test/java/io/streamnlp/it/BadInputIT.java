package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.api.dlq.DeadLetters;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Bad and unusual input beyond {@link EnrichmentPipelineIT}'s reject kinds: oversized records, the
 * broker's max message size, parser limits, control characters, every script, a 100,000-word document,
 * and the throughput of good records among bad ones.
 */
@WithKafka
class BadInputIT {
    static final int TOPIC_MAX_BYTES = 8 << 20;
    static TestBroker kafka;
    static final Path BUNDLE = ItBundles.lexiconBundle();

    private static KafkaProducer<byte[], byte[]> bigProducer() {
        return ProcessHarness.producer(
                kafka.bootstrapServers(), Map.of("max.request.size", 16 << 20, "buffer.memory", 64L << 20));
    }

    private static void raiseInputLimit(Pipeline p) throws Exception {
        kafka.setTopicConfig(p.topics.input(), "max.message.bytes", Integer.toString(TOPIC_MAX_BYTES));
        Thread.sleep(500);
    }

    private static ProducerRecord<byte[], byte[]> rec(Pipeline p, String key, byte[] value) {
        return new ProducerRecord<>(
                p.topics.input(), null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> dlqByKey(EventCollector c, Pipeline p) {
        Map<String, ConsumerRecord<byte[], byte[]>> m = new HashMap<>();
        for (var r : c.records(p.topics.dlq())) {
            m.put(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), r);
        }
        return m;
    }

    private static Map<String, JsonNode> entitiesById(EventCollector c, Pipeline p) {
        Map<String, JsonNode> m = new HashMap<>();
        for (var r : c.records(p.topics.entities())) {
            JsonNode n = EventCollector.json(r);
            m.put(n.path("id").asText(), n);
        }
        return m;
    }

    @Test
    void oversizedRecordsAndOneAtTheBrokersMaxMessageSizeGoToTheDlqWithTheirOriginalBytes(TestNames names)
            throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 1, Map.of());
                KafkaProducer<byte[], byte[]> prod = bigProducer()) {
            raiseInputLimit(p);
            p.start();
            byte[] fiveMb = utf8("Paris ".repeat((5 << 20) / 6));
            byte[] atMax = new byte[TOPIC_MAX_BYTES - 200];
            Arrays.fill(atMax, (byte) 'x');
            byte[] overMax = new byte[TOPIC_MAX_BYTES + 1];
            Arrays.fill(overMax, (byte) 'y');
            prod.send(rec(p, "before", utf8("Paris before"))).get();
            prod.send(rec(p, "five-mb", fiveMb)).get();
            prod.send(rec(p, "at-max", atMax)).get();
            ExecutionException tooBig = assertThrows(
                    ExecutionException.class,
                    () -> prod.send(rec(p, "over-max", overMax)).get(),
                    "the broker refuses a record over its max message size: 'at-max' is at the limit");
            assertTrue(tooBig.getCause() instanceof RecordTooLargeException, tooBig.toString());
            prod.send(rec(p, "after", utf8("Paris after"))).get();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.dlq()) >= 2
                                        && EventCollector.count(rs, p.topics.entities()) >= 2,
                                Duration.ofSeconds(90)),
                        "got " + c.records().size());
                c.drainFor(Duration.ofSeconds(1));
                var dlq = dlqByKey(c, p);
                assertEquals(2, dlq.size(), dlq.keySet().toString());
                for (var e : Map.of("five-mb", fiveMb, "at-max", atMax).entrySet()) {
                    var r = dlq.get(e.getKey());
                    assertNotNull(r, e.getKey());
                    assertEquals("TOO_LARGE", ProcessHarness.header(r, DeadLetters.ERROR));
                    assertTrue(
                            ProcessHarness.header(r, DeadLetters.REASON)
                                    .contains(Integer.toString(e.getValue().length)),
                            ProcessHarness.header(r, DeadLetters.REASON));
                    assertArrayEquals(e.getValue(), r.value(), e.getKey() + " original bytes");
                }
                assertEquals(
                        java.util.Set.of("before", "after"), entitiesById(c, p).keySet());
            }
            assertEquals(KafkaStreams.State.RUNNING, p.app.streams().state());
        }
    }

    @Test
    void deeplyNestedJsonIsRejectedAndHugeButValidJsonIsEnriched(TestNames names) throws Exception {
        // the 20,000-field record is ~300 KB, over the default input.max.bytes: this is about parser limits, not size
        try (Pipeline p = new Pipeline(
                        kafka, names, BUNDLE, 1, Map.of(ConfigKeys.INPUT_MAX_BYTES, Integer.toString(1 << 20)));
                KafkaProducer<byte[], byte[]> prod = bigProducer()) {
            p.start();
            int depth = 100_000;
            byte[] deepArray = utf8("{\"text\":\"Paris\",\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
            byte[] deepObject =
                    utf8("{\"text\":\"Paris\",\"a\":" + "{\"b\":".repeat(depth) + "1" + "}".repeat(depth) + "}");
            byte[] just65 = utf8("{\"text\":\"Paris\",\"a\":" + "[".repeat(64) + "]".repeat(64) + "}");
            StringBuilder wide = new StringBuilder("{\"id\":\"wide\",\"text\":\"Acme in Paris\"");
            for (int i = 0; i < 20_000; i++) {
                wide.append(",\"f").append(i).append("\":").append(i);
            }
            wide.append('}');
            byte[] wideBytes = utf8(wide.toString());
            prod.send(rec(p, "deep-array", deepArray));
            prod.send(rec(p, "deep-object", deepObject));
            prod.send(rec(p, "depth-65", just65));
            prod.send(rec(p, "wide", wideBytes));
            prod.send(rec(p, "ok", utf8("{\"text\":\"Paris\",\"a\":" + "[".repeat(60) + "]".repeat(60) + "}")));
            prod.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.dlq()) >= 3
                                        && EventCollector.count(rs, p.topics.entities()) >= 2,
                                Duration.ofSeconds(60)),
                        "got " + c.records().size());
                c.drainFor(Duration.ofSeconds(1));
                var dlq = dlqByKey(c, p);
                assertEquals(java.util.Set.of("deep-array", "deep-object", "depth-65"), dlq.keySet());
                for (var r : dlq.values()) {
                    assertEquals("INVALID_JSON", ProcessHarness.header(r, DeadLetters.ERROR));
                    assertTrue(
                            ProcessHarness.header(r, DeadLetters.REASON)
                                    .toLowerCase()
                                    .contains("nesting"),
                            ProcessHarness.header(r, DeadLetters.REASON));
                }
                assertArrayEquals(deepArray, dlq.get("deep-array").value());
                JsonNode w = entitiesById(c, p).get("wide");
                assertNotNull(w, "wide JSON enriched");
                assertEquals(19_999, w.path("f19999").asInt(), "its 20,000 extra fields carried");
                assertEquals("ORG", w.path("entities").get(0).path("label").asText());
            }
            assertEquals(KafkaStreams.State.RUNNING, p.app.streams().state());
        }
    }

    @Test
    void nullKeysControlCharactersAndEveryScriptAreEnrichedWithExactCodePointOffsets(TestNames names) throws Exception {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        texts.put(
                "ctrl", "Bell\u0007 tab\t CR\r esc\u001B[0m Angela Merkel\u0001 met \u007F Acme in Paris\u0085 today");
        texts.put("emoji", "👩‍👩‍👧‍👦 Angela Merkel 🇫🇷 visited Paris 😀🎉 with Acme 👍🏽");
        texts.put("cjk", "東京と北京 Angela Merkel 在 Paris 会见了 Acme 的代表。𠀋𡈽");
        texts.put("rtl", "مرحبا بالعالم Angela Merkel שלום עולם visited Paris \u200F with Acme \u202Eأهلا\u202C");
        texts.put("combining", "Cafe\u0301 Zoe\u0308 n\u0303 Angela Merkel e\u0301\u0301\u0301 Paris Acme a\u20DD");
        texts.put("zwj", "Angela\u200D Merkel Paris\u200B Acme \u2060 👨\u200D💻 Paris");
        Map<String, List<String[]>> expected = new HashMap<>();
        for (var e : texts.entrySet()) {
            List<String[]> ents = new ArrayList<>();
            String t = e.getValue();
            // a zero-width joiner inside a name is no word break: the entity spans it
            ents.add(new String[] {"PER", e.getKey().equals("zwj") ? "Angela\u200D Merkel" : "Angela Merkel"});
            ents.add(new String[] {"LOC", "Paris"});
            ents.add(new String[] {"ORG", "Acme"});
            if (e.getKey().equals("zwj")) {
                ents.add(new String[] {"LOC", "Paris"});
            }
            if (!e.getKey().equals("zwj")) { // zwj: Paris twice, listed in order already
                ents.sort((a, b) -> Integer.compare(t.indexOf(a[1]), t.indexOf(b[1])));
            }
            expected.put(e.getKey(), ents);
        }
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 1, Map.of())) {
            p.start();
            for (var e : texts.entrySet()) {
                p.send(
                        e.getKey(),
                        "{\"id\":\"" + e.getKey() + "\",\"text\":"
                                + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(e.getValue())
                                + "}");
            }
            p.send(null, "Paris with a null key");
            p.send(null, "plain-nul", utf8("Paris \u0000 binary"));
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= texts.size() + 1
                                        && EventCollector.count(rs, p.topics.dlq()) >= 1,
                                Duration.ofSeconds(60)),
                        "got " + c.records().size());
                c.drainFor(Duration.ofSeconds(1));
                Map<String, JsonNode> byId = entitiesById(c, p);
                for (var e : texts.entrySet()) {
                    JsonNode ev = byId.get(e.getKey());
                    assertNotNull(ev, e.getKey());
                    String text = ev.path("text").asText();
                    assertEquals(e.getValue(), text, "text carried unchanged");
                    List<String[]> want = expected.get(e.getKey());
                    assertEquals(want.size(), ev.path("entities").size(), ev.toString());
                    int from = 0;
                    for (int i = 0; i < want.size(); i++) {
                        JsonNode ent = ev.path("entities").get(i);
                        int start = ent.path("start").asInt();
                        int end = ent.path("end").asInt();
                        String slice =
                                text.substring(text.offsetByCodePoints(0, start), text.offsetByCodePoints(0, end));
                        assertEquals(want.get(i)[1], slice, e.getKey() + ": code-point slice " + ent);
                        assertEquals(want.get(i)[1], ent.path("text").asText());
                        assertEquals(want.get(i)[0], ent.path("label").asText(), e.getKey() + " " + ent);
                        int at = text.indexOf(want.get(i)[1], from);
                        assertEquals(text.codePointCount(0, at), start, e.getKey() + " " + ent);
                        from = at + 1;
                    }
                }
                // null key: id from topic-partition-offset, and that id is the output key
                var nullKeyed = c.records(p.topics.entities()).stream()
                        .filter(r ->
                                EventCollector.json(r).path("text").asText().equals("Paris with a null key"))
                        .toList();
                assertEquals(1, nullKeyed.size());
                String id = EventCollector.json(nullKeyed.get(0)).path("id").asText();
                assertTrue(id.startsWith(p.topics.input() + "-0-"), id);
                assertEquals(id, new String(nullKeyed.get(0).key(), StandardCharsets.UTF_8));
                var nul = dlqByKey(c, p).get("plain-nul");
                assertEquals("BINARY_TEXT", ProcessHarness.header(nul, DeadLetters.ERROR));
                assertArrayEquals(utf8("Paris \u0000 binary"), nul.value());
            }
        }
    }

    @Test
    void aHundredThousandWordDocumentIsWindowedAndEnrichedAcrossItsWholeLength(TestNames names) throws Exception {
        int words = 100_000;
        String[] filler = {"the", "report", "said", "that", "markets", "were", "calm", "on", "monday"};
        StringBuilder sb = new StringBuilder("Angela Merkel opened the meeting.");
        int count = 5;
        while (count < words - 3) {
            if (count == words / 2) {
                sb.append(" Paris");
            } else {
                sb.append(' ').append(filler[count % filler.length]);
            }
            count++;
        }
        sb.append(" Acme closed it");
        String text = sb.toString();
        assertEquals(words, text.split(" ").length);
        // ~560 KB: over the default input.max.bytes, so this deployment raises it
        try (Pipeline p =
                new Pipeline(kafka, names, BUNDLE, 1, Map.of(ConfigKeys.INPUT_MAX_BYTES, Integer.toString(1 << 20)))) {
            p.start();
            Runtime rt = Runtime.getRuntime();
            p.send("long", text);
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= 1, Duration.ofSeconds(120)));
                JsonNode ev = EventCollector.json(c.records(p.topics.entities()).get(0));
                JsonNode ents = ev.path("entities");
                assertEquals(3, ents.size(), ents.toString());
                String[][] want = {{"PER", "Angela Merkel"}, {"LOC", "Paris"}, {"ORG", "Acme"}};
                for (int i = 0; i < 3; i++) {
                    assertEquals(want[i][0], ents.get(i).path("label").asText());
                    assertEquals(want[i][1], ents.get(i).path("text").asText());
                    assertEquals(
                            text.indexOf(want[i][1]), ents.get(i).path("start").asInt(), "ASCII: code points = chars");
                }
                assertTrue(ents.get(2).path("start").asInt() > text.length() - 20, "the last words are enriched too");
            }
            // inferred in segments of one batch budget each (batch.max.tokens), every segment windowed
            long windows =
                    p.batches.stream().mapToLong(x -> x.stats().sequences()).sum();
            long tokens =
                    p.batches.stream().mapToLong(x -> x.stats().realTokens()).sum();
            long maxBatch = p.batches.stream()
                    .mapToLong(x -> x.stats().realTokens())
                    .max()
                    .orElse(0);
            long ms = p.batches.stream()
                            .mapToLong(x -> x.stats().inferenceNanos())
                            .sum()
                    / 1_000_000;
            System.out.println("100k words: " + tokens + " tokens in " + windows + " windows, " + p.batches.size()
                    + " batches (largest " + maxBatch + " tokens), " + ms + " ms; heap used "
                    + (rt.totalMemory() - rt.freeMemory()) / (1 << 20) + " MiB");
            assertTrue(windows > words / 64, "windowed: " + p.batches);
            assertTrue(p.batches.size() > 1, "segmented into several batches: " + p.batches.size());
            int budget = Integer.parseInt(p.config.get(ConfigKeys.BATCH_MAX_TOKENS));
            assertTrue(maxBatch <= budget + budget / 2, "each batch near its token budget " + budget + ": " + maxBatch);
        }
    }

    @Test
    void goodRecordsKeepTheirThroughputAmongBadOnes(TestNames names) throws Exception {
        int n = 1500;
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 2, Map.of());
                KafkaProducer<byte[], byte[]> prod = bigProducer()) {
            p.start();
            String[] bad = {
                "{\"text\":",
                "{\"id\":1}",
                "{\"text\":\"  \"}",
                "{\"text\":\"a\\u0000b\"}",
                "{\"text\":\"Paris\",\"a\":" + "[".repeat(200) + "]".repeat(200) + "}",
                "{\"text\":[\"a\"]}"
            };
            try (EventCollector c = p.collector()) {
                // warm-up
                prod.send(rec(p, "w", utf8("Paris warm"))).get();
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= 1, Duration.ofSeconds(60)));
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    prod.send(rec(p, "a" + i, utf8("Angela Merkel in Paris " + i)));
                }
                prod.flush();
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= n + 1, Duration.ofSeconds(120)));
                double cleanMs = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    prod.send(rec(p, "m" + i, utf8("Angela Merkel in Paris " + i)));
                    prod.send(rec(p, "x" + i, utf8(bad[i % bad.length])));
                }
                prod.flush();
                assertTrue(c.collectUntil(
                        rs -> EventCollector.count(rs, p.topics.entities()) >= 2 * n + 1
                                && EventCollector.count(rs, p.topics.dlq()) >= n,
                        Duration.ofSeconds(120)));
                double mixedMs = (System.nanoTime() - t1) / 1e6;
                c.drainFor(Duration.ofSeconds(1));
                assertEquals(n, c.records(p.topics.dlq()).size());
                assertEquals(2 * n + 1, c.records(p.topics.entities()).size());
                double clean = n / (cleanMs / 1000);
                double mixed = n / (mixedMs / 1000);
                System.out.printf(
                        "throughput of good records: alone %.0f/s (%.0f ms), among %d bad ones %.0f/s (%.0f ms), ratio %.2f%n",
                        clean, cleanMs, n, mixed, mixedMs, clean / mixed);
                assertTrue(mixed * 4 >= clean, "bad records must not starve good ones: " + clean + " vs " + mixed);
            }
        }
    }

    @Test
    void aDeadLetterCarriesOnlyTheOriginalRecordPlusOurHeaders(TestNames names) throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 1, Map.of());
                KafkaProducer<byte[], byte[]> prod = bigProducer()) {
            p.start();
            RecordHeaders h = new RecordHeaders();
            h.add(new RecordHeader("trace-id", utf8("abc-123")));
            h.add(new RecordHeader("binary", new byte[] {0, (byte) 0xFF, 7}));
            byte[] value = utf8("{\"id\":\"x\",\"text\":\"\"}");
            // the producer's own timestamp, an hour back so it cannot be mistaken for the processing time; not an old
            // date, which the topic's 7-day retention deletes at the broker's next check, before anything reads it
            long ts = System.currentTimeMillis() / 1000 * 1000 - 3_600_000L;
            prod.send(new ProducerRecord<>(p.topics.input(), 0, ts, utf8("k-1"), value, h))
                    .get();
            try (EventCollector c = p.collector()) {
                assertTrue(c.collectUntil(rs -> EventCollector.count(rs, p.topics.dlq()) >= 1, Duration.ofSeconds(60)));
                var r = c.records(p.topics.dlq()).get(0);
                assertArrayEquals(utf8("k-1"), r.key());
                assertArrayEquals(value, r.value());
                assertEquals(ts, r.timestamp());
                List<String> headers = new ArrayList<>();
                r.headers().forEach(x -> headers.add(x.key()));
                assertEquals(
                        List.of(
                                "trace-id",
                                "binary",
                                DeadLetters.ERROR,
                                DeadLetters.REASON,
                                DeadLetters.SOURCE_TOPIC,
                                DeadLetters.SOURCE_PARTITION,
                                DeadLetters.SOURCE_OFFSET),
                        headers);
                assertArrayEquals(
                        new byte[] {0, (byte) 0xFF, 7},
                        r.headers().lastHeader("binary").value());
                assertEquals("EMPTY_TEXT", ProcessHarness.header(r, DeadLetters.ERROR));
                assertEquals("0", ProcessHarness.header(r, DeadLetters.SOURCE_PARTITION));
            }
        }
    }
}
