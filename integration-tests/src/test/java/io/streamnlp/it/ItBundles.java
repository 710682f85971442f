package io.streamnlp.it;

import io.streamnlp.fixtures.LexiconBundle;
import java.nio.file.Path;

/** The lexicon test bundle (see {@link LexiconBundle}): known entities and topics, real ONNX graph and tokenizer. */
final class ItBundles {
    private static Path lexicon;

    private ItBundles() {}

    /**
     * The one lexicon bundle of this test JVM, written on first use under target/ (the same files every time, so a
     * second run writes over the first). Read it, never change it: copy it to make a bad one.
     */
    static synchronized Path lexiconBundle() {
        if (lexicon == null) {
            lexicon = LexiconBundle.write(Path.of("target", "it-lexicon-bundle").toAbsolutePath());
        }
        return lexicon;
    }
}
