package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Entity;
import io.streamnlp.fixtures.TestBundles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine on a real pretrained transformer (all-MiniLM-L6-v2 from the test classpath, BERT architecture,
 * output last_hidden_state [batch, seq, 384]) read as a 384-"label" token classifier. Context matters in a
 * real encoder, so this checks that padding, masks and bucket row bookkeeping do not change any result.
 */
class RealEncoderTest {
    private static Path dir;

    @BeforeAll
    static void bundle() throws IOException {
        dir = Files.createTempDirectory("minilm-bundle");
        try (InputStream in = RealEncoderTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            Assumptions.assumeTrue(in != null, "skipped: all-minilm-l6-v2.onnx not on the test classpath");
            Files.copy(in, dir.resolve("model.onnx"));
        }
        List<String> labels = new ArrayList<>();
        labels.add("O");
        for (int i = 1; i < 384; i++) {
            labels.add("B-D" + i);
        }
        TestBundles.bundle(dir)
                .tokenizer(TestBundles.minilmTokenizer())
                .config(TestBundles.config("bert", labels, 30522, 512))
                .write();
    }

    @AfterAll
    static void clean() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static final List<String> TEXTS = List.of(
            "Angela Merkel met Barack Obama in Berlin on Tuesday.",
            "Stocks fell sharply.",
            "",
            "The quick brown fox jumps over the lazy dog while the European Central Bank keeps rates unchanged "
                    + "and analysts in Frankfurt, London and New York expect no move before the summer.",
            "東京 🙂 café");

    @Test
    void paddingAndBucketingDoNotChangeResults() {
        EngineOptions options = new EngineOptions(dir, null, Device.CPU, 2, 1, null, 64);
        try (OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(options)) {
            assertEquals(512, engine.nerBundle().maxLength());
            List<List<Entity>> alone = new ArrayList<>();
            for (String t : TEXTS) {
                BatchResult r = engine.infer(List.of(engine.encode(t)));
                assertEquals(r.stats().realTokens(), r.stats().paddedTokens()); // one row: no padding
                alone.add(r.results().get(0).entities());
            }
            BatchResult batch = engine.infer(TEXTS.stream().map(engine::encode).toList());
            assertTrue(batch.stats().paddedTokens() >= batch.stats().realTokens());
            for (int i = 0; i < TEXTS.size(); i++) {
                List<Entity> a = alone.get(i);
                List<Entity> b = batch.results().get(i).entities();
                assertEquals(a.size(), b.size(), TEXTS.get(i));
                for (int j = 0; j < a.size(); j++) {
                    assertEquals(a.get(j).text(), b.get(j).text());
                    assertEquals(a.get(j).label(), b.get(j).label());
                    assertEquals(a.get(j).start(), b.get(j).start());
                    assertEquals(a.get(j).score(), b.get(j).score(), 1e-4);
                }
            }
            assertTrue(!alone.get(0).isEmpty(), "a 384-way argmax labels some words");
        }
    }

    /** Throughput on this machine: run with -Dstreamnlp.bench=true. */
    @Test
    void benchmark() {
        Assumptions.assumeTrue(Boolean.getBoolean("streamnlp.bench"), "skipped: benchmark (-Dstreamnlp.bench=true)");
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            docs.add(TEXTS.get(i % TEXTS.size()) + " " + "more words here ".repeat(i % 13));
        }
        for (int rows : new int[] {1, 8, 32, 64}) {
            try (OnnxEnrichmentEngine engine =
                    OnnxEnrichmentEngine.open(new EngineOptions(dir, null, Device.CPU, 2, 1, null, rows))) {
                List<EncodedDocument> enc = docs.stream().map(engine::encode).toList();
                engine.infer(enc.subList(0, 16)); // warm-up
                long t0 = System.nanoTime();
                BatchResult r = null;
                for (int i = 0; i < docs.size(); i += 64) {
                    r = engine.infer(enc.subList(i, i + 64));
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "maxBucketRows=%d: %.1f docs/s, last batch buckets=%d padding ratio=%.3f%n",
                        rows, docs.size() / s, r.stats().buckets(), r.stats().paddingRatio());
            }
        }
    }
}
