package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.ForwardingEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator with overlap: batches run on inference threads over the engine's lanes (a real engine on the
 * lexicon bundle with two sessions, wrapped to hold batches and watch which lanes they use).
 */
class BatchCoordinatorOverlapTest {
    @TempDir
    static Path tmp;

    static OnnxEnrichmentEngine real;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<BatchListener.Trigger> triggers = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> failures = Collections.synchronizedList(new ArrayList<>());

    /** Delegates to the real engine; can hold a batch until released, and throws for poisoned documents. */
    static final class Watched extends ForwardingEngine {
        Watched() {
            super(real);
        }

        final Set<EncodedDocument> poison =
                Collections.newSetFromMap(Collections.synchronizedMap(new IdentityHashMap<>()));
        final List<int[]> lanesUsed = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final ConcurrentHashMap<Integer, CountDownLatch> holds = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            return infer(documents, new int[] {0, 1});
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
            int call = calls.getAndIncrement();
            lanesUsed.add(lanes.clone());
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                CountDownLatch hold = holds.get(call);
                if (hold != null && !hold.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test hold never released");
                }
                for (EncodedDocument d : documents) {
                    if (poison.contains(d)) {
                        throw new IllegalArgumentException("poisoned document");
                    }
                }
                return real.infer(documents, lanes);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
                finished.incrementAndGet();
            }
        }

        @Override
        public void close() {}
    }

    static final class Task implements Owner {}

    @BeforeAll
    static void open() {
        real = OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2);
    }

    @AfterAll
    static void close() {
        real.close();
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private BatchCoordinator coordinator(Watched engine, BatchPolicy policy) {
        return coordinator(engine, policy, OverlapExecutor.MIN_SEQUENCES_PER_LANE);
    }

    /** @param minSequencesPerLane 1: a lane per sequence, so that a two-record batch holds both lanes */
    private BatchCoordinator coordinator(Watched engine, BatchPolicy policy, int minSequencesPerLane) {
        BatchListener listener = new BatchListener() {
            @Override
            public void onBatch(BatchStats stats, int owners, Trigger trigger, long queueNanos) {
                triggers.add(trigger);
            }

            @Override
            public void onInferenceFailure(int batchSize, Exception error) {
                failures.add(batchSize);
            }
        };
        return new BatchCoordinator(engine, policy, listener, new Lanes(engine.lanes()), pool, minSequencesPerLane);
    }

    private static void add(BatchCoordinator c, Owner owner, long seq, EncodedDocument doc) {
        c.add(owner, seq, doc, System.nanoTime());
    }

    /** Four records "Angela Merkel in Paris" (seq 0-3) for one task; the one at {@code poisoned} makes inference throw. */
    private static void addFourWithPoison(Watched engine, BatchCoordinator c, Task t, int poisoned) {
        for (int i = 0; i < 4; i++) {
            EncodedDocument doc = engine.encode("Angela Merkel in Paris");
            if (i == poisoned) {
                engine.poison.add(doc);
            }
            add(c, t, i, doc);
        }
    }

    private static List<Long> seqs(List<Completed> done) {
        List<Long> out = new ArrayList<>();
        for (Completed c : done) {
            out.add(c.ticket());
        }
        return out;
    }

    @Test
    void withABacklogBatchesRunSideBySideOnOneLaneEachAndArriveAsTheyFinish() throws Exception {
        Watched engine = new Watched();
        CountDownLatch firstHeld = new CountDownLatch(1);
        engine.holds.put(0, firstHeld); // the first inference call finishes last
        // The second is held until the queue has been looked at: were it to finish before the first flush tried the
        // third batch, that batch would take its lane in the same call (a race this test once lost on a loaded
        // machine).
        CountDownLatch secondHeld = new CountDownLatch(1);
        engine.holds.put(1, secondHeld);
        BatchCoordinator c = coordinator(engine, new BatchPolicy(2, 10_000, Duration.ofHours(1)));
        Task t = new Task();
        for (long s = 0; s < 6; s++) { // three full batches queued before any flush: a backlog
            add(c, t, s, engine.encode(s % 2 == 0 ? "Angela Merkel in Paris" : "Acme shares fell"));
        }
        Thread releaser = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // the second and third batches are done (the third ran on the lane the second freed), the first still held
            while (engine.finished.get() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            firstHeld.countDown();
        });
        releaser.start();
        c.flushIfFull(); // two batches go, one lane each; the third waits in the queue (no lane, no wait)
        assertEquals(2, c.pendingRecords());
        secondHeld.countDown();
        // later callbacks: the third batch goes on the lane the second frees, while the first is still held
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.pendingRecords() > 0 && System.nanoTime() < until) {
            c.flushIfFull();
            Thread.onSpinWait();
        }
        assertTrue(c.awaitInFlight(10_000));
        releaser.join();

        assertEquals(2, engine.maxRunning.get(), "two batches ran at the same time");
        for (int[] lanes : engine.lanesUsed.subList(0, 2)) {
            assertEquals(1, lanes.length, "with a backlog a batch takes one lane");
        }
        assertFalse(engine.lanesUsed.get(0)[0] == engine.lanesUsed.get(1)[0], "different lanes");
        List<Completed> done = c.drain(t);
        // the first inference call is held (batch [0, 1] or [2, 3], whichever thread started first); the third batch
        // runs
        // on the lane the other one freed: both are delivered before the held one, none waits for it
        List<Long> order = seqs(done);
        assertTrue(
                order.subList(4, 6).equals(List.of(0L, 1L))
                        || order.subList(4, 6).equals(List.of(2L, 3L)),
                "the held batch is delivered last: " + order);
        assertTrue(
                order.subList(0, 4).containsAll(List.of(4L, 5L)),
                "the third batch did not wait for the held one: " + order);
        for (Completed d : done) {
            assertNotNull(d.enrichment());
        }
        assertEquals(
                "Angela Merkel",
                done.get(order.indexOf(0L)).enrichment().entities().get(0).text());
        assertEquals(3, triggers.size());
        assertTrue(c.allDelivered());
        assertEquals(0, c.inFlight());
    }

    @Test
    void withoutABacklogABatchWorthSplittingTakesEveryFreeLane() throws Exception {
        Watched engine = new Watched();
        int n = 2 * OverlapExecutor.MIN_SEQUENCES_PER_LANE; // one window each: enough for both lanes
        BatchCoordinator c = coordinator(engine, new BatchPolicy(n, 10_000, Duration.ofHours(1)));
        Task t = new Task();
        List<Long> expected = new ArrayList<>();
        for (long s = 0; s < n; s++) {
            add(c, t, s, engine.encode("Paris"));
            expected.add(s);
        }
        c.flushIfFull();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(2, engine.lanesUsed.get(0).length);
        assertEquals(expected, seqs(c.drain(t)));
    }

    @Test
    void onAnIdleDeviceASmallBatchTakesOneLaneAndTheNextRunsBesideIt() throws Exception {
        Watched engine = new Watched();
        CountDownLatch held = new CountDownLatch(1);
        engine.holds.put(0, held);
        BatchCoordinator c = coordinator(engine, new BatchPolicy(2, 10_000, Duration.ofHours(1)));
        Task t = new Task();
        add(c, t, 0, engine.encode("Paris"));
        add(c, t, 1, engine.encode("Paris"));
        c.flushIfFull(); // nothing else runs, but two sequences do not pay for a split: one lane, held there
        add(c, t, 2, engine.encode("Acme"));
        add(c, t, 3, engine.encode("Acme"));
        c.flushIfFull(); // the second batch does not wait for the held one: it runs on the other lane
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.finished.get() < 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, engine.finished.get(), "the second batch finished while the first was held");
        held.countDown();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(2, engine.lanesUsed.size());
        assertEquals(1, engine.lanesUsed.get(0).length, "one lane for a small batch");
        assertEquals(1, engine.lanesUsed.get(1).length);
        assertFalse(engine.lanesUsed.get(0)[0] == engine.lanesUsed.get(1)[0], "different lanes");
        List<Long> order = seqs(c.drain(t));
        assertEquals(List.of(0L, 1L, 2L, 3L), order.stream().sorted().toList(), "every record once: " + order);
        assertEquals(0, c.pendingRecords());
        assertTrue(c.allDelivered());
    }

    @Test
    void aBatchOfLongDocumentsLeavesALaneToTheShortRecords() throws Exception {
        Watched engine = new Watched();
        BatchCoordinator c = coordinator(engine, new BatchPolicy(1, 100_000, Duration.ofHours(1)));
        Task t = new Task();
        add(c, t, 0, engine.encode("Paris ".repeat(300)));
        c.flushIfFull();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(1, engine.lanesUsed.get(0).length, "one of the two lanes");
        assertEquals(List.of(0L), seqs(c.drain(t)));
    }

    @Test
    void aTimedFlushDoesNotWaitForABusyDeviceTheBatchGrowsInstead() throws Exception {
        Watched engine = new Watched();
        CountDownLatch held = new CountDownLatch(1);
        engine.holds.put(0, held);
        // a lane per sequence, so that the held two-record batch takes both lanes
        BatchCoordinator c = coordinator(engine, new BatchPolicy(100, 100_000, Duration.ofMillis(1)), 1);
        Task t = new Task();
        add(c, t, 0, engine.encode("Paris"));
        add(c, t, 1, engine.encode("Paris"));
        sleep(5);
        c.onTick(System.nanoTime()); // max.wait: flushed on both lanes (no backlog), held there
        assertEquals(1, c.inFlight());
        long started = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.lanesUsed.isEmpty() && System.nanoTime() < started) { // its inference thread starts it
            Thread.onSpinWait();
        }
        assertEquals(2, engine.lanesUsed.get(0).length, "the held batch takes both lanes");
        add(c, t, 2, engine.encode("Paris"));
        add(c, t, 3, engine.encode("Paris"));
        sleep(5);
        long before = System.nanoTime();
        c.onTick(System.nanoTime()); // due, but no lane is free: returns at once, nothing flushed
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(1));
        assertEquals(2, c.pendingRecords());
        assertEquals(1, c.inFlight());
        held.countDown();
        assertTrue(c.awaitInFlight(10_000));
        add(c, t, 4, engine.encode("Paris"));
        // a lane is free again: the grown batch goes (the inference thread hands its result over just before it frees
        // its lanes, so the first tick after awaitInFlight may still find them taken: tick until it goes)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.pendingRecords() > 0 && System.nanoTime() < deadline) {
            c.onTick(System.nanoTime());
            sleep(1);
        }
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs(c.drain(t)));
        assertEquals(2, engine.calls.get());
        assertEquals(List.of(BatchListener.Trigger.MAX_WAIT, BatchListener.Trigger.MAX_WAIT), triggers);
    }

    @Test
    void aFailingBatchIsSplitUntilOnlyThePoisonedRecordFails() throws Exception {
        Watched engine = new Watched();
        BatchCoordinator c = coordinator(engine, new BatchPolicy(4, 10_000, Duration.ofHours(1)));
        Task t = new Task();
        addFourWithPoison(engine, c, t, 2);
        c.flushIfFull();
        assertTrue(c.awaitInFlight(10_000));
        List<Completed> done = c.drain(t);
        assertEquals(4, done.size());
        for (Completed d : done) {
            if (d.ticket() == 2) {
                assertNull(d.enrichment());
                assertTrue(d.error().contains("poisoned document"), d.error());
            } else {
                assertNotNull(d.enrichment(), "record " + d.ticket());
                assertEquals("Paris", d.enrichment().entities().get(1).text());
            }
        }
        assertEquals(List.of(4, 2, 1), failures, "the batch, then the half holding the record, then the record");
    }

    @Test
    void aBatchFailingWhileTheThreadWaitsForTheOnlyLaneIsIsolatedWithoutDeadlock() throws Exception {
        // one lane (as on CUDA): the stream thread waits for it with the next full batch in hand while the running
        // batch fails; isolating that batch needs the lane too, so it must not run while this thread holds it
        Watched engine = new Watched();
        CountDownLatch held = new CountDownLatch(1);
        engine.holds.put(0, held);
        BatchCoordinator c = new BatchCoordinator(
                engine, new BatchPolicy(2, 10_000, Duration.ofHours(1)), BatchListener.NONE, new Lanes(1), pool);
        Task t = new Task();
        addFourWithPoison(engine, c, t, 1);
        Thread releaser = new Thread(() -> {
            sleep(200); // the stream thread is waiting for the lane by now
            held.countDown();
        });
        releaser.start();
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            c.flushIfFull(); // the second batch finds no lane: it stays queued, the callback does not wait
            assertEquals(2, c.pendingRecords());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.pendingRecords() > 0 && System.nanoTime() < until) {
                c.flushIfFull(); // the first batch fails and is isolated here, then the second takes the lane
                sleep(1);
            }
            assertTrue(c.awaitInFlight(10_000));
        });
        releaser.join();
        List<Completed> done = c.drain(t);
        assertEquals(List.of(0L, 1L, 2L, 3L), seqs(done));
        assertNull(done.get(1).enrichment());
        assertNotNull(done.get(0).enrichment());
        assertNotNull(done.get(3).enrichment());
    }

    @Test
    void aTaskClosedWhileItsBatchRunsGetsNothingDelivered() throws Exception {
        Watched engine = new Watched();
        CountDownLatch held = new CountDownLatch(1);
        engine.holds.put(0, held);
        BatchCoordinator c = coordinator(engine, new BatchPolicy(2, 10_000, Duration.ofHours(1)));
        Task closing = new Task();
        Task staying = new Task();
        add(c, closing, 0, engine.encode("Paris"));
        add(c, staying, 0, engine.encode("Paris"));
        c.flushIfFull();
        c.remove(closing); // revoked: its record stays in its store for the next owner
        held.countDown();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(List.of(), c.drain(closing));
        assertEquals(List.of(0L), seqs(c.drain(staying)));
        assertTrue(c.allDelivered());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
