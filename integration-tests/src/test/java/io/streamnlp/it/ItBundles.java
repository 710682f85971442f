package io.streamnlp.it;

import io.streamnlp.fixtures.LexiconBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The lexicon test bundle (see {@link LexiconBundle}): known entities and topics, real ONNX graph and tokenizer. */
final class ItBundles {
    private static Path lexicon;

    private ItBundles() {}

    /**
     * The one lexicon bundle of this test JVM, written on first use to a folder of its own under target/ and deleted
     * when the JVM exits: test JVMs run side by side, and one must not read files another is writing (a shared
     * folder did that once: a half-written tokenizer.json). Read it, never change it: copy it to make a bad one.
     */
    static synchronized Path lexiconBundle() {
        if (lexicon == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "it-lexicon-bundle");
                dir.toFile().deleteOnExit(); // registered first, so deleted last, once its files are gone
                LexiconBundle.write(dir);
                try (Stream<Path> files = Files.list(dir)) {
                    files.forEach(f -> f.toFile().deleteOnExit());
                }
                lexicon = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lexicon;
    }
}
