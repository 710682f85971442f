package io.streamnlp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import io.streamnlp.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {
    @TempDir
    Path tmp;

    private Path bundle(String labelsJson) {
        var ner = TestBundles.CONLL_IOB2;
        TestGraphs.Lexicon g = TestGraphs.lexicon(30522)
                .tokenHead("token_logits", ner.size(), TestGraphs.oneHot(ner, "O", 4f))
                .sequenceHead("sequence_logits", TestBundles.AG_NEWS.size());
        return TestBundles.bundle(tmp.resolve("lexicon"))
                .graph(g)
                .tokenizer(TestBundles.minilmTokenizer())
                .config(TestBundles.config("bert", ner, 30522, 512))
                .manifest("""
                        {"name": "lexicon", "version": "1.2.3", "description": "a test lexicon", "maxLength": 64, "stride": 8,
                         "tasks": {"ner": {"output": "token_logits", "labelScheme": "IOB2"},
                                   "topic": {"output": "sequence_logits", "labels": %s}}}
                        """.formatted(labelsJson))
                .write();
    }

    @Test
    void describesTasksLabelsSchemeInputsAndOutputs() throws Exception {
        Path dir = bundle("[\"World\", \"Sports\", \"Business\", \"Sci/Tech\"]");
        InProcessCli.Result r = InProcessCli.run("models", dir.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("lexicon@1.2.3"), out);
        assertTrue(out.contains("a test lexicon"), out);
        assertTrue(out.contains("model type: bert, max length: 64, stride: 8"), out);
        assertTrue(out.contains("windowing: context"), out);
        assertTrue(out.contains("inputs: input_ids, attention_mask, token_type_ids"), out);
        assertTrue(out.contains("token_logits [?, ?, 9]"), out);
        assertTrue(
                out.contains("task ner: output token_logits, scheme IOB2, aggregation FIRST, 9 labels: O B-PER I-PER"),
                out);
        assertTrue(
                out.contains("task topic: output sequence_logits, 4 labels: World, Sports, Business, Sci/Tech"), out);
    }

    @Test
    void aBadBundleExitsTwoNamingTheProblem() throws Exception {
        Path dir = bundle("[\"World\", \"Sports\"]"); // the graph has 4 topic logits
        InProcessCli.Result r = InProcessCli.run("models", dir.toString());
        assertEquals(Main.EXIT_CONFIG, r.code());
        assertTrue(r.err().contains("2 labels but output 'sequence_logits'"), r.err());

        Files.delete(dir.resolve("tokenizer.json"));
        r = InProcessCli.run("models", dir.toString(), tmp.resolve("nowhere").toString());
        assertEquals(Main.EXIT_CONFIG, r.code());
        assertTrue(r.err().contains("missing file tokenizer.json"), r.err());
        assertTrue(r.err().contains("nowhere does not exist"), r.err());
    }
}
