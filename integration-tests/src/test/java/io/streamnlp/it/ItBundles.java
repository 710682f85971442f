package io.streamnlp.it;

import io.streamnlp.fixtures.LexiconBundle;
import java.nio.file.Path;

/** The lexicon test bundle (see {@link LexiconBundle}): known entities and topics, real ONNX graph and tokenizer. */
final class ItBundles {
    private static Path lexicon;

    private ItBundles() {}

    /**
     * The one lexicon bundle of this test JVM, written on first use under target/ (the same files every time, so a
     * second run writes over the first), in a folder of this JVM's own: test JVMs run side by side, and one must not
     * read the files another is writing. Read it, never change it: copy it to make a bad one.
     */
    static synchronized Path lexiconBundle() {
        if (lexicon == null) {
            String fork = System.getProperty("streamnlp.it.fork", "1");
            lexicon = LexiconBundle.write(
                    Path.of("target", "it-lexicon-bundle-" + fork).toAbsolutePath());
        }
        return lexicon;
    }
}
