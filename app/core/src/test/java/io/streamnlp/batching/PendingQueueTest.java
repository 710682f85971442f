package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.EncodedDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When pending records make a batch, on a clock the test passes in (no waiting, no engine). */
class PendingQueueTest {
    private static final long MS = 1_000_000L;

    /** All the queue reads of a document is its token count. */
    private record Doc(String text, int tokenCount) implements EncodedDocument {
        @Override
        public int maxWindowLength() {
            return tokenCount;
        }
    }

    private static final class Task implements Owner {}

    private final Task a = new Task();
    private final Task b = new Task();

    private static void add(PendingQueue q, Owner owner, long seq, int tokens, long nowNanos) {
        q.add(new Pending(owner, seq, new Doc("d" + seq, tokens), nowNanos));
    }

    private static List<Long> seqs(List<Pending> batch) {
        List<Long> out = new ArrayList<>();
        for (Pending p : batch) {
            out.add(p.ticket());
        }
        return out;
    }

    @Test
    void fullByRecordsTakesTheOldestUpToTheLimit() {
        PendingQueue q = new PendingQueue(new BatchPolicy(3, 1_000, Duration.ofSeconds(1)));
        assertNull(q.full(), "empty");
        add(q, a, 0, 10, 0);
        add(q, a, 1, 10, 0);
        assertNull(q.full(), "two of three");
        add(q, a, 2, 10, 0);
        assertEquals(BatchListener.Trigger.RECORDS, q.full());
        add(q, a, 3, 10, 0);
        assertEquals(List.of(0L, 1L, 2L), seqs(q.take()));
        assertEquals(1, q.size());
        assertEquals(10, q.tokens());
        assertNull(q.full(), "one record left: not full");
        assertFalse(q.hasFullBatch());
    }

    @Test
    void longDocumentsAreBatchedApartFromShortRecordsWhichKeepTheirPlace() {
        PendingQueue q = new PendingQueue(new BatchPolicy(4, 10_000, Duration.ofSeconds(1)));
        int big = PendingQueue.LONG_TOKENS + 1;
        add(q, a, 0, big, 0);
        add(q, a, 1, 20, 0);
        add(q, b, 2, big, 0);
        add(q, b, 3, 30, 0);
        add(q, a, 4, 40, 0);
        assertEquals(List.of(0L, 2L), seqs(q.take()), "the oldest is long: the long ones only");
        assertEquals(90, q.tokens());
        assertEquals(List.of(1L, 3L, 4L), seqs(q.take()), "then the short ones, in their order");
        assertEquals(0, q.size());
        assertEquals(0, q.tokens());
    }

    @Test
    void fullByTokensTakesWhatFitsTheBudgetAndAnOversizedRecordAlone() {
        PendingQueue q = new PendingQueue(new BatchPolicy(100, 100, Duration.ofSeconds(1)));
        add(q, a, 0, 60, 0);
        assertNull(q.full());
        add(q, a, 1, 50, 0);
        assertEquals(BatchListener.Trigger.TOKENS, q.full());
        assertTrue(q.hasFullBatch());
        assertEquals(List.of(0L), seqs(q.take()), "the second would pass the budget");
        add(q, a, 2, 500, 0);
        assertEquals(List.of(1L), seqs(q.take()));
        assertEquals(List.of(2L), seqs(q.take()), "over the budget on its own: a batch of one");
        assertEquals(0, q.tokens());
    }

    @Test
    void theOldestRecordIsDueAtTheLastTickBeforeMaxWait() {
        BatchPolicy policy = new BatchPolicy(100, 10_000, Duration.ofMillis(40));
        assertEquals(Duration.ofMillis(10), policy.tick());
        PendingQueue q = new PendingQueue(policy);
        add(q, a, 0, 5, 0);
        add(q, a, 1, 5, 20 * MS);
        assertNull(q.due(29 * MS, q.tick(29 * MS)));
        assertEquals(BatchListener.Trigger.MAX_WAIT, q.due(30 * MS, q.tick(30 * MS)), "40 ms less one tick");
        assertNull(new PendingQueue(policy).due(30 * MS, true), "nothing pending: nothing due");
    }

    @Test
    void anIdleStreamFlushesWhatItHasButATickAfterTheThreadWasAwayDoesNot() {
        BatchPolicy policy = new BatchPolicy(100, 10_000, Duration.ofSeconds(10), Duration.ofMillis(20));
        PendingQueue q = new PendingQueue(policy);
        add(q, a, 0, 5, 0);
        boolean idle = q.tick(5 * MS);
        assertFalse(idle);
        assertNull(q.due(5 * MS, idle));
        idle = q.tick(21 * MS); // ticks every few ms and no record for 20: the stream is idle
        assertTrue(idle);
        assertEquals(BatchListener.Trigger.IDLE, q.due(21 * MS, idle));

        PendingQueue away = new PendingQueue(policy);
        add(away, a, 0, 5, 0);
        // the first tick in 50 ms (a commit, a poll): no record could have come, so no sign of an idle stream
        assertFalse(away.tick(50 * MS));
        assertFalse(away.tick(60 * MS));
        assertTrue(away.tick(70 * MS), "idle once a whole idle time passed with the thread here");
    }

    @Test
    void timeSpentRunningABatchIsNotIdleTime() {
        BatchPolicy policy = new BatchPolicy(100, 10_000, Duration.ofSeconds(10), Duration.ofMillis(20));
        PendingQueue q = new PendingQueue(policy);
        add(q, a, 0, 5, 0);
        q.tick(10 * MS);
        q.threadWasAway(15 * MS); // inference ran on this thread until 15 ms
        assertFalse(q.tick(25 * MS), "25 ms since the last add, but only 10 since the thread was back");
        assertTrue(q.tick(35 * MS));
    }

    @Test
    void aRequeuedBatchGoesBackToTheHeadInItsOrder() {
        PendingQueue q = new PendingQueue(new BatchPolicy(2, 1_000, Duration.ofSeconds(1)));
        for (long s = 0; s < 3; s++) {
            add(q, a, s, 10, 0);
        }
        List<Pending> batch = q.take();
        q.requeue(batch);
        assertEquals(3, q.size());
        assertEquals(30, q.tokens());
        assertEquals(List.of(0L, 1L), seqs(q.take()));
    }

    @Test
    void removingAnOwnerForgetsOnlyItsRecordsAndTheirTokens() {
        PendingQueue q = new PendingQueue(new BatchPolicy(10, 1_000, Duration.ofSeconds(1)));
        add(q, a, 0, 10, 0);
        add(q, b, 0, 20, 0);
        add(q, a, 1, 30, 0);
        q.remove(a);
        assertEquals(1, q.size());
        assertEquals(20, q.tokens());
        List<Pending> left = q.take();
        assertEquals(1, left.size());
        assertTrue(left.get(0).owner() == b);
    }
}
