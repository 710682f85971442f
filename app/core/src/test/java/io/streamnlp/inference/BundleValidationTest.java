package io.streamnlp.inference;

import static io.streamnlp.fixtures.TestBundles.CONLL_IOB2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.model.BundleException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad bundles fail at open with one message naming the file and the mismatch. */
class BundleValidationTest {
    @TempDir
    Path tmp;

    private final Path tok = TestBundles.minilmTokenizer();

    private TestGraphs.Lexicon ner(String output) {
        return TestBundles.nerLexicon(tok, 30522, CONLL_IOB2, output, Map.of("paris", "B-LOC"));
    }

    private TestBundles.Builder good(String name) {
        return TestBundles.bundle(tmp.resolve(name))
                .graph(ner("logits"))
                .tokenizer(tok)
                .config(TestBundles.config("bert", CONLL_IOB2, 30522, 512));
    }

    private static String fail(Path dir) {
        BundleException e = assertThrows(
                BundleException.class,
                () -> OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))
                        .close());
        return e.getMessage();
    }

    private static void assertHas(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message <" + message + "> lacks <" + p + ">");
        }
    }

    @Test
    void missingFolderAndFiles() throws Exception {
        assertHas(fail(tmp.resolve("nowhere")), "nowhere", "does not exist");
        Path dir = good("nomodel").write();
        Files.delete(dir.resolve("tokenizer.json"));
        assertHas(fail(dir), dir.toString(), "missing file tokenizer.json");
    }

    @Test
    void corruptModelOrTokenizer() throws Exception {
        Path dir = good("corrupt").write();
        Files.write(dir.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5});
        assertHas(fail(dir), "model.onnx", "cannot load the model");
        Path dir2 = good("badtok").write();
        Files.writeString(dir2.resolve("tokenizer.json"), "{\"model\": 42}");
        assertHas(fail(dir2), "tokenizer.json");
    }

    @Test
    void invalidJson() throws Exception {
        Path dir = good("badjson").config("{\"id2label\": {").write();
        assertHas(fail(dir), "config.json", "invalid JSON");
        Path dir2 = good("badmanifest").manifest("not json").write();
        assertHas(fail(dir2), "bundle.json", "invalid JSON");
    }

    @Test
    void labelCountDiffersFromLogitsWidth() {
        List<String> eight = CONLL_IOB2.subList(0, 8);
        // from config.json, static width
        Path a = good("cfg")
                .config(TestBundles.config("bert", eight, 30522, 512))
                .write();
        assertHas(fail(a), "config.json", "8 labels", "'logits'", "9 logits");
        // from bundle.json, width known only when the graph runs (dynamic label dim): the load-time dummy run
        Path b = good("manifest")
                .graph(ner("logits").dynamicLabelDims())
                .manifest(
                        "{\"tasks\":{\"ner\":{\"output\":\"logits\",\"labels\":" + TestBundles.jsonArray(eight) + "}}}")
                .write();
        assertHas(fail(b), "bundle.json", "8 labels", "'logits'", "9 logits");
    }

    @Test
    void maxLengthBeyondThePositionEmbeddingsOrBadStride() {
        Path a = good("maxlen")
                .manifest("{\"maxLength\":600,\"tasks\":{\"ner\":{\"output\":\"logits\"}}}")
                .write();
        assertHas(fail(a), "bundle.json", "maxLength 600", "max_position_embeddings 512");
        Path b = good("stride")
                .manifest("{\"maxLength\":64,\"stride\":40,\"tasks\":{\"ner\":{\"output\":\"logits\"}}}")
                .write();
        assertHas(fail(b), "bundle.json", "stride 40");
        Path c = good("windowing")
                .manifest("{\"windowing\":\"paragraph\",\"tasks\":{\"ner\":{\"output\":\"logits\"}}}")
                .write();
        assertHas(fail(c), "bundle.json", "windowing 'paragraph'", "context or sentence");
    }

    @Test
    void cudaRequestedWithoutCudaFailsLoudly() throws Exception {
        Assumptions.assumeFalse(
                ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
                "skipped: this ONNX Runtime build has CUDA");
        Path dir = good("cuda").write();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> OnnxEnrichmentEngine.open(
                                EngineOptions.of(dir).withTopicBundle(null).withDevice(Device.CUDA))
                        .close());
        assertHas(e.getMessage(), "CUDA", "model.onnx");
        try (OnnxEnrichmentEngine auto = OnnxEnrichmentEngine.open(
                EngineOptions.of(dir).withTopicBundle(null).withDevice(Device.AUTO))) {
            assertEquals(Device.CPU, auto.device());
            assertEquals(
                    1,
                    auto.infer(List.of(auto.encode("Paris")))
                            .results()
                            .get(0)
                            .entities()
                            .size());
        }
    }

    @Test
    void unknownInputName() {
        Path dir = good("input")
                .graph(ner("logits").inputs("input_ids", "attention_mask", "segment_ids"))
                .write();
        assertHas(fail(dir), "model.onnx", "unknown input 'segment_ids'");
    }

    @Test
    void declaredOutputNotInGraph() {
        Path dir = good("output")
                .manifest("{\"tasks\":{\"ner\":{\"output\":\"token_logits\"}}}")
                .write();
        assertHas(fail(dir), "bundle.json", "'token_logits'", "not in model.onnx", "[logits]");
    }

    @Test
    void tokenizerVocabularyLargerThanTheModels() {
        // MiniLM's 30,522-token tokenizer against a model whose embedding has bert-base-cased's 28,996 rows
        Path dir = good("vocab")
                .config(TestBundles.config("bert", CONLL_IOB2, 28996, 512))
                .write();
        assertHas(fail(dir), "tokenizer.json", "30522", "config.json", "28996", "do not match");
    }

    @Test
    void unknownLabelScheme() {
        Path a = good("scheme")
                .manifest("{\"tasks\":{\"ner\":{\"output\":\"logits\",\"labelScheme\":\"BILOU\"}}}")
                .write();
        assertHas(fail(a), "bundle.json", "unknown label scheme 'BILOU'");
        List<String> bilou = List.of("O", "B-PER", "I-PER", "L-PER", "U-PER", "B-LOC", "I-LOC", "L-LOC", "U-LOC");
        Path b = good("bilou")
                .config(TestBundles.config("bert", bilou, 30522, 512))
                .write();
        assertHas(fail(b), "config.json", "unknown label scheme");
    }

    @Test
    void nerRequestedFromATopicOnlyBundle() {
        TestGraphs.Lexicon topic = TestGraphs.lexicon(30522).sequenceHead("logits", 4);
        Path dir = good("topic")
                .graph(topic)
                .config(TestBundles.config("bert", TestBundles.AG_NEWS, 30522, 512))
                .write();
        assertHas(fail(dir), dir.toString(), "has no ner task");
    }

    @Test
    void inferenceErrorsPropagate() {
        // no vocab_size in config.json: the tokenizer's ids outrun the 1000-row embedding only at run time
        Path dir = TestBundles.bundle(tmp.resolve("small"))
                .tokenizer(tok)
                .graph(TestGraphs.lexicon(1000).tokenHead("logits", 9, TestGraphs.oneHot(CONLL_IOB2, "O", 1)))
                .config("{\"id2label\":{\"0\":\"O\",\"1\":\"B-PER\",\"2\":\"I-PER\",\"3\":\"B-ORG\",\"4\":\"I-ORG\","
                        + "\"5\":\"B-LOC\",\"6\":\"I-LOC\",\"7\":\"B-MISC\",\"8\":\"I-MISC\"}}")
                .write();
        try (OnnxEnrichmentEngine e =
                OnnxEnrichmentEngine.open(EngineOptions.of(dir).withTopicBundle(null))) {
            EncodedDocument ok = e.encode("the"); // id 1996: out of range
            InferenceException ex = assertThrows(InferenceException.class, () -> e.infer(List.of(ok)));
            assertHas(ex.getMessage(), "inference failed");
            assertTrue(
                    e.infer(List.of(e.encode(""))).results().get(0).entities().isEmpty()); // engine still usable
        }
    }
}
