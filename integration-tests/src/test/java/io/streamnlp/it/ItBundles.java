package io.streamnlp.it;

import io.streamnlp.fixtures.TestBundles;
import io.streamnlp.fixtures.TestGraphs;
import java.nio.file.Path;

/**
 * The lexicon bundle the integration tests run: a real ONNX graph (two heads, one forward pass) whose
 * logits are a lookup of the input token ids, with the real MiniLM tokenizer. So "Angela Merkel" is
 * PER, "Paris" LOC, "Acme" ORG, and "election"/"football"/"shares"/"software" decide the topic,
 * exactly.
 */
final class ItBundles {
    private ItBundles() {}

    static Path lexiconBundle(Path dir) {
        Path tok = TestBundles.minilmTokenizer();
        var ner = TestBundles.CONLL_IOB2;
        var topics = TestBundles.AG_NEWS;
        TestGraphs.Lexicon g = TestGraphs.lexicon(30522)
                .tokenHead("token_logits", ner.size(), TestGraphs.oneHot(ner, "O", 4f))
                .sequenceHead("sequence_logits", topics.size());
        label(g, tok, "angela", "B-PER");
        label(g, tok, "merkel", "I-PER");
        label(g, tok, "paris", "B-LOC");
        label(g, tok, "acme", "B-ORG");
        topic(g, tok, "election", "World");
        topic(g, tok, "football", "Sports");
        topic(g, tok, "shares", "Business");
        topic(g, tok, "software", "Sci/Tech");
        return TestBundles.bundle(dir).graph(g).tokenizer(tok)
                .config(TestBundles.config("bert", ner, 30522, 512))
                .manifest("""
                        {"name": "lexicon", "version": "1.0.0", "maxLength": 64, "stride": 8,
                         "tasks": {"ner": {"output": "token_logits", "labelScheme": "IOB2", "labels": %s},
                                   "topic": {"output": "sequence_logits", "labels": %s}}}
                        """.formatted(json(ner), json(topics)))
                .write();
    }

    private static void label(TestGraphs.Lexicon g, Path tok, String word, String label) {
        for (long id : TestBundles.ids(tok, word)) {
            g.tokenLogits(id, TestGraphs.oneHot(TestBundles.CONLL_IOB2, label, 8f));
        }
    }

    private static void topic(TestGraphs.Lexicon g, Path tok, String word, String label) {
        for (long id : TestBundles.ids(tok, word)) {
            g.sequenceLogits(id, TestGraphs.oneHot(TestBundles.AG_NEWS, label, 40f));
        }
    }

    private static String json(java.util.List<String> xs) {
        return xs.stream().map(x -> "\"" + x + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
