package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamnlp.api.engine.Device;
import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import io.streamnlp.fixtures.SharedData;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.model.LabelScheme;
import io.streamnlp.model.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain Hugging Face exports (no bundle.json) with the real tokenizers and config.json files of public models. */
class RealTokenizersTest {
    @TempDir
    Path tmp;

    private static List<String> run(Path bundle, String text) {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(new EngineOptions(bundle, null, Device.CPU, 1, 1, null, 64))) {
            List<Entity> entities =
                    engine.infer(List.of(engine.encode(text))).results().get(0).entities();
            return entities.stream().map(RealTokenizersTest::fmt).toList();
        }
    }

    private static String fmt(Entity e) {
        return e.text() + "/" + e.label() + "/" + e.start() + "/" + e.end();
    }

    @Test
    void bertBaseCasedWithTokenTypeIdsAndDslimLabelOrder() throws Exception {
        Path tok = SharedData.require("tokenizers/bert-base-cased/tokenizer.json");
        Path config = SharedData.require("model-configs/dslim-bert-base-NER/config.json");
        List<String> labels = List.of("O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC");
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                        tok,
                        28996,
                        labels,
                        "logits",
                        Map.of("Wolfgang", "B-PER", "Berlin", "B-LOC", "Deutsche", "B-ORG", "Bank", "I-ORG"))
                .inputs("input_ids", "attention_mask", "token_type_ids");
        Path dir = TestBundles.bundle(tmp.resolve("dslim"))
                .graph(g)
                .tokenizer(tok)
                .config(Files.readString(config))
                .write();
        // cased: "berlin" is another token than "Berlin"
        assertEquals(
                List.of("Wolfgang/PER/0/8", "Deutsche Bank/ORG/18/31", "Berlin/LOC/35/41"),
                run(dir, "Wolfgang works at Deutsche Bank in Berlin, not berlin."));
        try (OnnxEnrichmentEngine e =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            ModelBundle b = e.nerBundle();
            assertEquals("dslim/bert-base-NER@0", e.nerModel());
            assertEquals(labels, b.ner().labels());
            assertEquals(512, b.maxLength());
            assertEquals(64, b.stride());
            assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), List.copyOf(b.inputs()));
        }
    }

    @Test
    void manifestLowercaseAppliesToACasedTokenizerWithoutMovingOffsets() {
        Path tok = SharedData.require("tokenizers/bert-base-cased/tokenizer.json");
        TestGraphs.Lexicon g = TestBundles.nerLexicon(tok, 28996, CONLL_IOB2, "logits", Map.of("berlin", "B-LOC"));
        Path dir = TestBundles.bundle(tmp.resolve("lower"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 28996, 512))
                .manifest("{\"lowercase\":true,\"tasks\":{\"ner\":{\"output\":\"logits\"}}}")
                .write();
        // İ lowercases to two code points with String.toLowerCase; one for one here, so BERLIN stays at 13
        assertEquals(List.of("BERLIN/LOC/13/19", "Berlin/LOC/21/27"), run(dir, "İstanbul and BERLIN, Berlin"));
    }

    @Test
    void distilbertLayoutWithoutTokenTypeIdsAndElasticLabelOrder() throws Exception {
        Path config = SharedData.require(
                "model-configs/elastic-distilbert-base-uncased-finetuned-conll03-english/config.json");
        Path tok = TestBundles.minilmTokenizer(); // the uncased BERT vocabulary DistilBERT-uncased uses
        List<String> labels = List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                        tok, 30522, labels, "logits", Map.of("angela", "B-PER", "merkel", "I-PER", "berlin", "B-LOC"))
                .inputs("input_ids", "attention_mask");
        Path dir = TestBundles.bundle(tmp.resolve("elastic"))
                .graph(g)
                .tokenizer(tok)
                .config(Files.readString(config))
                .write();
        assertEquals(List.of("Angela Merkel/PER/0/13", "BERLIN/LOC/17/23"), run(dir, "Angela Merkel in BERLIN."));
    }

    @Test
    void dslimUncasedLabelOrderReadsDifferentlyThanElastic() throws Exception {
        // the same graph (label index 1 for "berlin") means MISC under dslim's order and PER under elastic's
        Path tok = TestBundles.minilmTokenizer();
        Path dslim = SharedData.require("model-configs/dslim-bert-base-NER-uncased/config.json");
        TestGraphs.Lexicon g = TestGraphs.lexicon(30522)
                .inputs("input_ids", "attention_mask", "token_type_ids")
                .tokenHead("logits", 9, TestGraphs.oneHot(CONLL_IOB2, "O", 8))
                .tokenLogits(TestBundles.id(tok, "berlin"), new float[] {0, 8, 0, 0, 0, 0, 0, 0, 0});
        Path dir = TestBundles.bundle(tmp.resolve("dslim-uncased"))
                .graph(g)
                .tokenizer(tok)
                .config(Files.readString(dslim))
                .write();
        assertEquals(List.of("Berlin/MISC/0/6"), run(dir, "Berlin"));
    }

    @Test
    void robertaByteLevelBpeWithIoLabelsAndNoModelType() throws Exception {
        Path tok = SharedData.require("tokenizers/roberta-base/tokenizer.json");
        List<String> labels = List.of("O", "MISC", "PER", "ORG", "LOC"); // Jean-Baptiste/roberta-large-ner-english
        TestGraphs.Lexicon g = TestBundles.nerLexicon(
                        tok,
                        50265,
                        labels,
                        "logits",
                        Map.of(" Paris", "LOC", " Jean", "PER", "-", "PER", "Baptiste", "PER"))
                .inputs("input_ids", "attention_mask");
        Path dir = TestBundles.bundle(tmp.resolve("roberta"))
                .graph(g)
                .tokenizer(tok)
                .config(TestBundles.config("roberta", labels, 50265, 514))
                .write();
        // offsets exclude the leading-space of "ĠParis"; repeated spaces before it change nothing
        assertEquals(List.of("Jean-Baptiste/PER/4/17", "Paris/LOC/23/28"), run(dir, "Hi, Jean-Baptiste in   Paris."));
        try (OnnxEnrichmentEngine e =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            assertEquals(512, e.nerBundle().maxLength()); // min(512, max_position_embeddings 514)
            assertEquals(LabelScheme.IO, e.nerBundle().ner().scheme());
        }
    }

    @Test
    void oldExportWithOutputZeroAndTopicOnlyExport() throws Exception {
        Path tok = TestBundles.minilmTokenizer();
        TestGraphs.Lexicon ner = TestBundles.nerLexicon(tok, 30522, CONLL_IOB2, "output_0", Map.of("paris", "B-LOC"));
        Path nerDir = TestBundles.bundle(tmp.resolve("old"))
                .graph(ner)
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512))
                .write();
        assertEquals(List.of("Paris/LOC/3/8"), run(nerDir, "In Paris"));

        TestGraphs.Lexicon topic = TestGraphs.lexicon(30522)
                .sequenceHead("logits", 4)
                .sequenceLogits(TestBundles.id(tok, "stocks"), new float[] {0, 0, 6, 0});
        Path topicDir = TestBundles.bundle(tmp.resolve("topic"))
                .graph(topic)
                .tokenizer(tok)
                .config(TestBundles.config("bert", TestBundles.AG_NEWS, 30522, 512))
                .write();
        try (OnnxEnrichmentEngine e =
                OnnxEnrichmentEngine.open(new EngineOptions(nerDir, topicDir, Device.CPU, 1, 1, null, 64))) {
            var r = e.infer(List.of(e.encode("stocks fell in Paris"))).results().get(0);
            assertEquals(
                    List.of("Paris/LOC/15/20"),
                    r.entities().stream().map(RealTokenizersTest::fmt).toList());
            TopicPrediction t = r.topic();
            assertEquals("Business", t.label());
            assertEquals(TestBundles.AG_NEWS, List.copyOf(t.scores().keySet()));
            // mean over [CLS] stocks fell in paris [SEP]: 6/6 = 1 logit for Business
            double p = Math.exp(1) / (Math.exp(1) + 3);
            assertEquals(p, t.score(), 1e-6);
            assertEquals(2, r.entities().size() + 1);
        }
        try (OnnxEnrichmentEngine e =
                OnnxEnrichmentEngine.open(new EngineOptions(null, topicDir, Device.AUTO, 0, 0, null, 8))) {
            assertNull(e.nerModel());
            assertNull(e.infer(List.of(e.encode("x"))).results().get(0).entities());
            assertEquals(Device.CPU, e.device()); // no GPU build here: AUTO falls back
        }
    }
}
