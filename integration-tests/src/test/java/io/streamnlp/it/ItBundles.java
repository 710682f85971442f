package io.streamnlp.it;

import io.streamnlp.fixtures.LexiconBundle;
import java.nio.file.Path;

/** The lexicon test bundle (see {@link LexiconBundle}): known entities and topics, real ONNX graph and tokenizer. */
final class ItBundles {
    private ItBundles() {}

    static Path lexiconBundle(Path dir) {
        return LexiconBundle.write(dir);
    }
}
