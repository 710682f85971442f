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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short records never wait behind long documents (#20 item 6): with two lanes, batches of long records hold at most one
 * while short records are around, and a short batch goes past a long one that may not take a lane. The real engine on
 * the lexicon bundle with two sessions; batches of long documents are held until the test lets them go (they stand for
 * the 250-500 ms a long batch takes on a CPU lane), so every assertion is about order, not timing.
 */
class ShortRecordsLaneTest {
    @TempDir
    static Path tmp;

    static OnnxEnrichmentEngine real;

    private static final Duration RESERVE = Duration.ofSeconds(1);

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final LongsHeld engine = new LongsHeld();
    private final Task t = new Task();

    /** The real engine; a batch of long documents waits until {@link #longs} opens. Records what started, in order. */
    static final class LongsHeld extends ForwardingEngine {
        final CountDownLatch longs = new CountDownLatch(1);
        final List<String> started = Collections.synchronizedList(new ArrayList<>());

        LongsHeld() {
            super(real);
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            return infer(documents, new int[] {0, 1});
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
            boolean isLong = documents.get(0).tokenCount() > PendingQueue.LONG_TOKENS;
            started.add(isLong ? "long" : "short");
            try {
                if (isLong && !longs.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test hold never released");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
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
    void stop() {
        engine.longs.countDown();
        pool.shutdownNow();
    }

    /** One record a batch (every add makes a full batch), never due by time: only the lanes decide what runs. */
    private BatchCoordinator coordinator(int lanes) {
        BatchPolicy policy =
                new BatchPolicy(1, 100_000, Duration.ofHours(1), Duration.ZERO, BatchPolicy.DEFAULT_BUDGET, RESERVE);
        return new BatchCoordinator(engine, policy, BatchListener.NONE, new Lanes(lanes), pool);
    }

    private EncodedDocument longDoc() {
        EncodedDocument d = engine.encode("Paris ".repeat(300));
        assertTrue(d.tokenCount() > PendingQueue.LONG_TOKENS);
        return d;
    }

    private EncodedDocument shortDoc() {
        return engine.encode("Angela Merkel in Paris");
    }

    @Test
    void aShortRecordBehindTwoQueuedLongBatchesStartsBeforeTheSecondOne() throws Exception {
        BatchCoordinator c = coordinator(2);
        long now = System.nanoTime();
        c.add(t, 0, longDoc(), now);
        c.add(t, 1, longDoc(), now);
        c.add(t, 2, shortDoc(), now);
        c.flushIfFull();

        // before: both long batches took a lane each and the short record waited for one of them to finish
        assertTrue(
                started("short", 1),
                "the short record's batch did not start while long batches hold the lanes; started: " + engine.started);
        assertTrue(started("long", 1));
        assertEquals(1, c.pendingRecords(), "the second long document is still queued");
        List<Long> done = drainUntil(c, 1);
        assertEquals(List.of(2L), done, "the short record is delivered while the first long batch runs");

        engine.longs.countDown();
        flushUntilEmpty(c);
        assertTrue(c.awaitInFlight(10_000));
        done.addAll(seqs(c.drain(t)));
        assertEquals(List.of(2L, 0L, 1L), done, "every record once");
        assertEquals("long", engine.started.get(2), "the second long batch started last: " + engine.started);
        assertTrue(c.allDelivered());
    }

    @Test
    void aShortRecordSeenRecentlyKeepsALaneFromTheNextLongBatch() throws Exception {
        BatchCoordinator c = coordinator(2);
        long now = System.nanoTime();
        c.add(t, 0, shortDoc(), now);
        c.flushIfFull();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(List.of(0L), seqs(c.drain(t)));

        now += RESERVE.toNanos() / 2; // within the reserve: no short record waits, but one came a moment ago
        c.add(t, 1, longDoc(), now);
        c.flushIfFull(); // alone: takes one lane (as before)
        assertTrue(started("long", 1));
        c.add(t, 2, longDoc(), now);
        c.flushIfFull(); // before: took the second lane
        assertEquals(1, c.pendingRecords(), "the second long batch waits: the last lane is the short records'");
        c.add(t, 3, shortDoc(), now);
        c.flushIfFull();
        assertTrue(started("short", 2), "started: " + engine.started);
        assertEquals(List.of(3L), drainUntil(c, 1));

        engine.longs.countDown();
        flushUntilEmpty(c);
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(List.of(1L, 2L), seqs(c.drain(t)).stream().sorted().toList());
    }

    @Test
    void withNoShortRecordAroundLongBatchesUseEveryLane() throws Exception {
        BatchCoordinator c = coordinator(2);
        long now = System.nanoTime();
        c.add(t, 0, shortDoc(), now);
        c.flushIfFull();
        assertTrue(c.awaitInFlight(10_000));
        c.drain(t);

        now += RESERVE.toNanos() + 1; // the last short record came longer ago than the reserve
        c.add(t, 1, longDoc(), now);
        c.add(t, 2, longDoc(), now);
        c.flushIfFull();
        assertTrue(started("long", 2), "both long batches run; started: " + engine.started);
        assertEquals(0, c.pendingRecords());
        engine.longs.countDown();
        assertTrue(c.awaitInFlight(10_000));
        assertEquals(List.of(1L, 2L), seqs(c.drain(t)).stream().sorted().toList());
    }

    @Test
    void withOneLaneALongBatchTakesItEvenWithShortRecordsWaiting() throws Exception {
        BatchCoordinator c = coordinator(1);
        long now = System.nanoTime();
        c.add(t, 0, longDoc(), now);
        c.add(t, 1, shortDoc(), now);
        c.flushIfFull(); // nothing to reserve: the long batch at the head takes the lane, as before
        assertTrue(started("long", 1));
        assertEquals(List.of("long"), List.copyOf(engine.started));
        assertEquals(1, c.pendingRecords());
        engine.longs.countDown();
        flushUntilEmpty(c);
        assertTrue(c.awaitInFlight(10_000));
        List<Completed> done = c.drain(t);
        assertEquals(List.of(0L, 1L), seqs(done));
        for (Completed d : done) {
            assertNotNull(d.enrichment());
        }
    }

    /** Waits (at most 5 s) until {@code n} batches of this kind have started. */
    private boolean started(String kind, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Collections.frequency(List.copyOf(engine.started), kind) < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Drains until {@code n} results came (at most 10 s). */
    private List<Long> drainUntil(BatchCoordinator c, int n) {
        List<Long> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < n && System.nanoTime() < deadline) {
            got.addAll(seqs(c.drain(t)));
            Thread.onSpinWait();
        }
        return got;
    }

    /** Flushes (as the next callbacks would) until the queue is empty (at most 10 s). */
    private static void flushUntilEmpty(BatchCoordinator c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.pendingRecords() > 0 && System.nanoTime() < deadline) {
            c.flushIfFull();
            Thread.onSpinWait();
        }
        assertEquals(0, c.pendingRecords());
    }

    private static List<Long> seqs(List<Completed> done) {
        List<Long> out = new ArrayList<>();
        for (Completed d : done) {
            out.add(d.ticket());
        }
        return out;
    }
}
