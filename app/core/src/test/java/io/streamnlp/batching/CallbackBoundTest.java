package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.ForwardingEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inference per stream-thread callback is bounded by one batch's budget: one callback with many full batches pending
 * runs at most one inline, and never waits long for a lane; the rest go in later callbacks, none lost, in order.
 */
class CallbackBoundTest {
    @TempDir
    static Path tmp;

    static OnnxEnrichmentEngine real;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    /** The real engine, counting its calls; the first call can be held until released. */
    static final class Counted extends ForwardingEngine {
        Counted() {
            super(real);
        }

        final AtomicInteger calls = new AtomicInteger();
        volatile CountDownLatch holdFirst;

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            return infer(documents, new int[] {0, 1});
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
            if (calls.getAndIncrement() == 0 && holdFirst != null) {
                try {
                    if (!holdFirst.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("test hold never released");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return real.infer(documents, lanes);
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

    @Test
    void inlineOneCallbackRunsAtMostOneBatchAndLaterCallbacksDeliverTheRestInOrder() throws Exception {
        Counted engine = new Counted();
        BatchCoordinator c =
                new BatchCoordinator(engine, new BatchPolicy(2, 10_000, Duration.ofMillis(50)), BatchListener.NONE);
        Task t = new Task();
        for (long s = 0; s < 10; s++) { // five full batches pending (restored records, or one long poll)
            c.add(t, s, engine.encode(s % 2 == 0 ? "Angela Merkel in Paris" : "Acme shares fell"), System.nanoTime());
        }
        c.flushIfFull();
        assertEquals(1, engine.calls.get(), "one callback, one batch");
        assertEquals(8, c.pendingRecords());
        c.onTick(System.nanoTime());
        assertEquals(2, engine.calls.get(), "a tick is a callback too: one batch");
        List<Long> seqs = deliverAll(c, t, 10);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), seqs, "every record once, in order");
        assertEquals(5, engine.calls.get());
    }

    @Test
    void overlapACallbackDoesNotWaitForALaneTheBatchWaitsInTheQueue() throws Exception {
        Counted engine = new Counted();
        CountDownLatch held = new CountDownLatch(1);
        engine.holdFirst = held;
        BatchCoordinator c = new BatchCoordinator(
                engine,
                new BatchPolicy(2, 10_000, Duration.ofHours(1)),
                BatchListener.NONE,
                new Lanes(engine.lanes()),
                pool,
                1); // a lane per sequence, so that the held two-record batch takes both lanes
        Task t = new Task();
        c.add(t, 0, engine.encode("Paris"), System.nanoTime());
        c.add(t, 1, engine.encode("Paris"), System.nanoTime());
        c.flushIfFull(); // no backlog: the batch takes both lanes, and is held there
        assertEquals(1, c.inFlight());
        c.add(t, 2, engine.encode("Acme"), System.nanoTime());
        c.add(t, 3, engine.encode("Acme"), System.nanoTime());
        Thread releaser = new Thread(() -> {
            sleep(3_000);
            held.countDown();
        });
        releaser.start();
        long before = System.nanoTime();
        c.flushIfFull(); // a full batch and no free lane: it stays queued
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        held.countDown();
        releaser.join();
        assertTrue(waitedMs < 1_000, "the callback waited " + waitedMs + " ms for a lane");
        List<Long> seqs = deliverAll(c, t, 4);
        assertEquals(List.of(0L, 1L, 2L, 3L), seqs);
    }

    @Test
    void overlapBehindABacklogACallbackWaitsForALaneOnceAndAtMostTheBudget() throws Exception {
        Counted engine = new Counted();
        CountDownLatch held = new CountDownLatch(1);
        engine.holdFirst = held;
        Duration budget = Duration.ofMillis(300);
        BatchCoordinator c = new BatchCoordinator(
                engine,
                new BatchPolicy(2, 10_000, Duration.ofHours(1), Duration.ZERO, budget),
                BatchListener.NONE,
                new Lanes(engine.lanes()),
                pool,
                1); // the held first batch takes both lanes
        Task t = new Task();
        c.add(t, 0, engine.encode("Paris"), System.nanoTime());
        c.add(t, 1, engine.encode("Paris"), System.nanoTime());
        c.flushIfFull(); // both lanes, held
        int n = 2 + 2 * 2 * OverlapExecutor.BACKLOG_BATCHES; // twice the backlog that makes a callback wait
        for (long s = 2; s < n; s++) {
            c.add(t, s, engine.encode("Acme"), System.nanoTime());
        }
        long before = System.nanoTime();
        c.flushIfFull(); // a backlog: it waits for a lane, once, for at most the budget, then leaves the batches queued
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertTrue(waitedMs >= budget.toMillis() - 20, "back-pressure: it waited " + waitedMs + " ms");
        assertTrue(waitedMs < budget.toMillis() + 700, "one budget at most: it waited " + waitedMs + " ms");
        assertEquals(n - 2, c.pendingRecords(), "nothing lost: the batches wait in the queue");
        held.countDown();
        List<Long> seqs = deliverAll(c, t, n);
        List<Long> sorted = new ArrayList<>(seqs);
        Collections.sort(sorted);
        assertEquals(n, new HashSet<>(seqs).size(), "every record once: " + seqs);
        assertEquals(0L, sorted.get(0));
        assertEquals((long) n - 1, sorted.get(n - 1));
    }

    /** Later callbacks (adds' flushes and ticks) until {@code n} results came back; their seqs in delivery order. */
    static List<Long> deliverAll(BatchCoordinator c, Owner t, int n) throws Exception {
        List<Long> seqs = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seqs.size() < n && System.nanoTime() < deadline) {
            c.flushIfFull();
            c.onTick(System.nanoTime());
            c.awaitInFlight(1_000);
            for (Completed d : c.drain(t)) {
                assertNotNull(d.enrichment(), d.error());
                seqs.add(d.ticket());
            }
            sleep(1);
        }
        assertEquals(0, c.pendingRecords());
        return seqs;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
