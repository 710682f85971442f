package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record that makes the ONNX session throw: the graph's embedding table has fewer rows than the
 * tokenizer's vocabulary (config.json claims the full vocab_size, so the bundle loads), and a word whose
 * token id lies beyond the table makes Gather fail at run time, for its whole batch.
 */
@WithKafka
class InferenceFailureIT {
    static final int TABLE_ROWS = 20000;
    static TestBroker kafka;

    @TempDir
    static Path tmp;

    /** A whole word of the tokenizer's vocabulary whose id is beyond the table. */
    static String poisonWord(Path tok) throws Exception {
        JsonNode vocab =
                new ObjectMapper().readTree(Files.readString(tok)).path("model").path("vocab");
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            var e = it.next();
            String w = e.getKey();
            if (e.getValue().asInt() >= TABLE_ROWS + 100
                    && w.length() >= 6
                    && w.chars().allMatch(ch -> ch >= 'a' && ch <= 'z')) {
                long[] ids = TestBundles.ids(tok, w);
                if (ids.length == 1 && ids[0] >= TABLE_ROWS) {
                    return w;
                }
            }
        }
        throw new IllegalStateException("no word beyond id " + TABLE_ROWS);
    }

    @Test
    void aRecordThatMakesInferenceThrowIsIsolatedToTheDlqAndTheRestOfItsBatchIsEnriched(TestNames names)
            throws Exception {
        Path tok = TestBundles.minilmTokenizer();
        var ner = TestBundles.CONLL_IOB2;
        var topics = TestBundles.AG_NEWS;
        long paris = TestBundles.id(tok, "paris");
        assertTrue(paris < TABLE_ROWS);
        TestGraphs.Lexicon g = TestGraphs.lexicon(TABLE_ROWS)
                .tokenHead("token_logits", ner.size(), TestGraphs.oneHot(ner, "O", 4f))
                .sequenceHead("sequence_logits", topics.size())
                .tokenLogits(paris, TestGraphs.oneHot(ner, "B-LOC", 8f));
        Path bundle = TestBundles.bundle(tmp.resolve("short-table"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", ner, 30522, 512))
                .manifest("""
                        {"name": "short-table", "version": "1.0.0", "maxLength": 64, "stride": 8,
                         "tasks": {"ner": {"output": "token_logits", "labelScheme": "IOB2"},
                                   "topic": {"output": "sequence_logits", "labels": ["World","Sports","Business","Sci/Tech"]}}}
                        """)
                .write();
        String poison = poisonWord(tok);
        int good = 15;
        // one batch of all 16 records: only the record limit flushes it
        try (Pipeline p = new Pipeline(
                kafka,
                names,
                bundle,
                1,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        Integer.toString(good + 1),
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "30000",
                        ConfigKeys.BATCH_IDLE_MS,
                        "0"))) {
            p.start();
            byte[] poisonValue =
                    ("{\"id\":\"poison\",\"text\":\"Paris and " + poison + "\"}").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < good; i++) {
                if (i == 7) {
                    p.send(0, "poison", poisonValue);
                }
                p.send("g" + i, "Paris number " + i);
            }
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= good
                                        && EventCollector.count(rs, p.topics.dlq()) >= 1,
                                Duration.ofSeconds(60)),
                        "got " + c.records().size());
                c.drainFor(Duration.ofSeconds(1));
                var dlq = c.records(p.topics.dlq());
                assertEquals(1, dlq.size());
                var r = dlq.get(0);
                assertEquals("poison", new String(r.key(), StandardCharsets.UTF_8));
                assertArrayEquals(poisonValue, r.value(), "original bytes");
                assertEquals("INFERENCE_FAILED", ProcessHarness.header(r, DeadLetters.ERROR));
                assertNotNull(ProcessHarness.header(r, DeadLetters.REASON));
                System.out.println("inference failure: poison word '" + poison + "', reason: "
                        + ProcessHarness.header(r, DeadLetters.REASON));
                Set<String> ids = new TreeSet<>();
                for (var e : c.records(p.topics.entities())) {
                    JsonNode ev = EventCollector.json(e);
                    ids.add(ev.path("id").asText());
                    assertEquals("LOC", ev.path("entities").get(0).path("label").asText(), ev.toString());
                    assertEquals(
                            "Paris", ev.path("entities").get(0).path("text").asText(), ev.toString());
                }
                assertEquals(good, ids.size(), "every other record of the batch enriched: " + ids);
                assertEquals(good, c.records(p.topics.topics()).size());
            }
            // the failing batch was split: the good halves ran as their own (smaller) batches
            int enriched =
                    p.batches.stream().mapToInt(b -> b.stats().documents()).sum();
            assertEquals(good, enriched, p.batches.toString());
            assertTrue(p.batches.size() >= 2, "the batch was split: " + p.batches);
            assertTrue(p.batches.stream().allMatch(b -> b.stats().documents() < good + 1));
        }
    }
}
