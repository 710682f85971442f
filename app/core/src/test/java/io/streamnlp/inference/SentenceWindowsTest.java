package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.event.Entity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shipped default bundle on a text many windows long made of one sentence repeated: with windows cut
 * between sentences, each labelling only its central part with context on both sides, every repetition must
 * get exactly the entities the sentence gets alone: none duplicated, split or lost where windows meet.
 */
class SentenceWindowsTest {
    static final String SENTENCE = "Barack Obama met Angela Merkel in Berlin . ";
    static final int REPETITIONS = 600;

    private static Path defaultBundle() {
        Path p = Engines.resolve("model-store/minilm-l6-conll03-agnews");
        Assumptions.assumeTrue(
                Files.isRegularFile(p.resolve("model.onnx")), "skipped: the default bundle is absent at " + p);
        return p;
    }

    private static String relative(Entity e, int shift) {
        return e.label() + "/" + (e.start() - shift) + "/" + (e.end() - shift);
    }

    @Test
    void everyRepetitionOfASentenceGetsTheEntitiesItGetsAlone() {
        try (OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(EngineOptions.of(defaultBundle()))) {
            List<String> alone =
                    engine.infer(List.of(engine.encode(SENTENCE.strip()))).results().get(0).entities().stream()
                            .map(e -> relative(e, 0))
                            .toList();
            // the model does find them: otherwise the comparison below proves nothing
            assertEquals(List.of("PER/0/12", "PER/17/30", "LOC/34/40"), alone);

            String text = SENTENCE.repeat(REPETITIONS);
            EncodedDocument doc = engine.encode(text);
            int windows = ((OnnxEncodedDocument) doc).windowCount();
            assertTrue(windows > 20, "windows " + windows);
            List<Entity> entities = engine.infer(List.of(doc)).results().get(0).entities();

            List<List<String>> perRepetition = new ArrayList<>();
            for (int r = 0; r < REPETITIONS; r++) {
                perRepetition.add(new ArrayList<>());
            }
            int length = SENTENCE.length(); // ASCII: code points = chars
            for (Entity e : entities) {
                int r = e.start() / length;
                assertTrue(e.end() <= (r + 1) * length, "entity " + e + " runs into the next repetition");
                perRepetition.get(r).add(relative(e, r * length));
            }
            List<Integer> different = new ArrayList<>();
            for (int r = 0; r < REPETITIONS; r++) {
                if (!perRepetition.get(r).equals(alone)) {
                    different.add(r);
                }
            }
            assertTrue(
                    different.isEmpty(),
                    different.size() + " of " + REPETITIONS + " repetitions differ from the sentence alone "
                            + alone + ", e.g. repetition " + (different.isEmpty() ? -1 : different.get(0)) + ": "
                            + (different.isEmpty() ? "" : perRepetition.get(different.get(0))) + " (" + windows
                            + " windows)");
        }
    }
}
