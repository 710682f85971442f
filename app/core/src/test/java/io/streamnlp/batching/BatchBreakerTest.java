package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The breaker between "this record breaks the model" (isolate it, dead-letter it) and "the engine is broken" (stop,
 * dead-letter nothing): on the stream thread and on the inference threads alike.
 */
class BatchBreakerTest {
    @TempDir
    Path tmp;

    private ControlledEngine engine;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    static final class Task implements Owner {}

    @BeforeEach
    void open() {
        engine = new ControlledEngine(
                OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2));
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        engine.close();
    }

    private BatchCoordinator coordinator(boolean overlap, int maxRecords) {
        BatchPolicy policy = new BatchPolicy(maxRecords, 100_000, Duration.ofHours(1));
        return overlap
                ? new BatchCoordinator(engine, policy, (s, o, t, q) -> {}, new Lanes(2), pool)
                : new BatchCoordinator(engine, policy, (s, o, t, q) -> {});
    }

    private static void add(BatchCoordinator c, Owner owner, long seq, ControlledEngine e, String text) {
        c.add(owner, seq, e.encode(text), System.nanoTime());
    }

    /** Fills a batch and flushes it; with overlap, waits for it and collects it (where a failure surfaces). */
    private List<Completed> run(BatchCoordinator c, Task t, boolean overlap, String... texts) throws Exception {
        for (int i = 0; i < texts.length; i++) {
            add(c, t, i, engine, texts[i]);
        }
        c.flushIfFull();
        if (overlap) {
            c.awaitInFlight(10_000);
        }
        return c.drain(t);
    }

    @Test
    void aFailureOfEveryPartIsTheEngineNothingIsDeadLettered() throws Exception {
        for (boolean overlap : new boolean[] {false, true}) {
            engine.failAll = () -> new IllegalStateException("session broken " + 42);
            BatchCoordinator c = coordinator(overlap, 4);
            Task t = new Task();
            EngineFailureException e = assertThrows(
                    EngineFailureException.class,
                    () -> run(c, t, overlap, "Paris", "Acme", "Angela Merkel", "Paris"),
                    "overlap=" + overlap);
            assertTrue(e.getMessage().contains("every part"), e.getMessage());
            assertTrue(c.drain(t).isEmpty(), "no record reported failed (overlap=" + overlap + ")");
        }
    }

    @Test
    void anEngineErrorStopsAtOnceWithoutIsolating() throws Exception {
        for (boolean overlap : new boolean[] {false, true}) {
            engine.failAll =
                    () -> new IllegalStateException("CUDA failure 700: an illegal memory access was encountered");
            BatchCoordinator c = coordinator(overlap, 4);
            Task t = new Task();
            int before = engine.calls.get();
            assertThrows(EngineFailureException.class, () -> run(c, t, overlap, "Paris", "Acme", "Paris", "Acme"));
            assertEquals(before + 1, engine.calls.get(), "no bisection for a device error (overlap=" + overlap + ")");
            assertTrue(c.drain(t).isEmpty());
        }
    }

    @Test
    void outOfMemoryIsTheEngineOnBothPaths() throws Exception {
        for (boolean overlap : new boolean[] {false, true}) {
            engine.failAll = () -> new OutOfMemoryError("Java heap space");
            BatchCoordinator c = coordinator(overlap, 2);
            Task t = new Task();
            assertThrows(EngineFailureException.class, () -> run(c, t, overlap, "Paris", "Acme"), "overlap=" + overlap);
            assertTrue(c.drain(t).isEmpty());
        }
    }

    @Test
    void anErrorFromOneRecordIsIsolatedOnTheStreamThreadAsOnTheInferenceThreads() throws Exception {
        for (boolean overlap : new boolean[] {false, true}) {
            engine.poisonMarker = "POISON";
            engine.poisonError = () -> new StackOverflowError("deep input");
            BatchCoordinator c = coordinator(overlap, 4);
            Task t = new Task();
            List<Completed> done = run(c, t, overlap, "Paris", "POISON Paris", "Acme", "Paris");
            assertEquals(4, done.size(), "overlap=" + overlap);
            for (Completed d : done) {
                if (d.ticket() == 1) {
                    assertNull(d.enrichment());
                    assertTrue(d.error().contains("StackOverflowError"), d.error());
                } else {
                    assertNotNull(d.enrichment(), "record " + d.ticket() + " enriched (overlap=" + overlap + ")");
                }
            }
        }
    }

    @Test
    void theSameErrorFailingRecordAfterRecordStopsTheStream() throws Exception {
        engine.failAll = () -> new IllegalStateException("session broken");
        BatchCoordinator c = coordinator(false, 1);
        Task t = new Task();
        assertEquals(1, run(c, t, false, "Paris").size(), "a lone failure may be the record's");
        assertEquals(1, c.drain(t).size() + run(c, t, false, "Acme").size());
        assertThrows(EngineFailureException.class, () -> run(c, t, false, "Paris"), "the third in a row is the engine");
    }

    @Test
    void aClosedEngineStopsTheStreamInsteadOfDeadLetteringEveryRecord() throws Exception {
        BatchCoordinator c = coordinator(false, 3);
        Task t = new Task();
        add(c, t, 0, engine, "Paris");
        add(c, t, 1, engine, "Acme");
        add(c, t, 2, engine, "Paris");
        engine.close();
        assertThrows(EngineFailureException.class, c::flushIfFull);
        assertTrue(c.drain(t).isEmpty());
    }
}
