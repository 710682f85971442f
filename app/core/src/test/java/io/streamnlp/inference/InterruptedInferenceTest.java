package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.fixtures.LexiconBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupt that reaches a thread inside a batch split over two lanes: the call still waits for the other lane's
 * session (so its lane is not freed while the session runs, nor its output left unclosed), returns the complete
 * result rather than failing the batch, and leaves the interrupt for the caller.
 */
class InterruptedInferenceTest {
    @TempDir
    Path tmp;

    @Test
    void anInterruptDuringInferenceNeitherFailsTheBatchNorAbandonsARunningLane() {
        try (OnnxEnrichmentEngine engine =
                OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("l"))), 2)) {
            List<EncodedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                docs.add(engine.encode(i % 2 == 0 ? "Angela Merkel in Paris" : "Acme shares fell in Paris today"));
            }
            BatchResult clean = engine.infer(docs);
            Thread.currentThread().interrupt(); // as if interrupted while waiting for the second lane
            BatchResult result;
            try {
                result = engine.infer(docs);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (and cleared here)");
            }
            assertNotNull(result);
            assertEquals(2, result.stats().lanes(), "the batch ran on both lanes");
            assertEquals(clean.results(), result.results(), "complete and identical results");
        }
    }
}
