package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link ForwardQueue}'s rules under random keys, completion orders and take points: every record leaves exactly once
 * as the entry it was added as (its own sequence number), a key's records leave in the order they came, a complete
 * record leaves at the first take after its key's earlier records left, and nothing is left at the end.
 */
class ForwardQueueTest {

    /** An action on the queue: add the next record (with a key), complete a waiting one (by rank), or take. */
    record Action(int kind, int arg) {}

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<Action> add = Arbitraries.integers().between(0, 4).map(k -> new Action(0, k));
        Arbitrary<Action> complete = Arbitraries.integers().between(0, 1000).map(i -> new Action(1, i));
        Arbitrary<Action> take = Arbitraries.just(new Action(2, 0));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(4, add),
                        net.jqwik.api.Tuple.of(4, complete),
                        net.jqwik.api.Tuple.of(2, take))
                .list()
                .ofMaxSize(200);
    }

    @Property(tries = 500)
    void everyRecordLeavesOnceInItsKeysOrderAsSoonAsItMay(
            @ForAll("actions") List<Action> actions, @ForAll @IntRange(min = 0, max = 1000) int gapSeed) {
        ForwardQueue<String> q = new ForwardQueue<>();
        Map<Long, Integer> keyOf = new HashMap<>();
        Map<Integer, List<Long>> arrived = new HashMap<>();
        List<Long> waiting = new ArrayList<>();
        Set<Long> complete = new HashSet<>();
        Set<Long> left = new HashSet<>();
        Map<Integer, Integer> leftPerKey = new HashMap<>();
        long seq = 0;
        for (Action a : actions) {
            switch (a.kind()) {
                case 0 -> {
                    seq += 1 + (gapSeed + seq) % 3; // sequence numbers increase, with gaps (rejects are not queued)
                    q.add(seq, a.arg(), "v" + seq);
                    keyOf.put(seq, a.arg());
                    arrived.computeIfAbsent(a.arg(), k -> new ArrayList<>()).add(seq);
                    waiting.add(seq);
                }
                case 1 -> {
                    if (!waiting.isEmpty()) {
                        long s = waiting.get(a.arg() % waiting.size());
                        q.complete(s);
                        q.complete(s); // idempotent
                        complete.add(s);
                    }
                }
                default -> take(q, keyOf, arrived, waiting, complete, left, leftPerKey);
            }
            assertEquals(waiting.size(), q.size());
        }
        for (long s : new ArrayList<>(waiting)) {
            q.complete(s);
            complete.add(s);
        }
        take(q, keyOf, arrived, waiting, complete, left, leftPerKey);
        assertTrue(q.isEmpty(), "nothing is left once every record is complete");
        assertEquals(keyOf.keySet(), left, "every record left");
    }

    private static void take(
            ForwardQueue<String> q,
            Map<Long, Integer> keyOf,
            Map<Integer, List<Long>> arrived,
            List<Long> waiting,
            Set<Long> complete,
            Set<Long> left,
            Map<Integer, Integer> leftPerKey) {
        long previous = -1;
        for (ForwardQueue.Entry<String> e : q.takeReady()) {
            assertEquals("v" + e.seq(), e.value(), "the entry is the record added under its sequence number");
            assertTrue(e.seq() > previous, "in sequence order");
            previous = e.seq();
            assertTrue(complete.contains(e.seq()), "only a complete record leaves");
            assertTrue(left.add(e.seq()), "a record leaves once: " + e.seq());
            int key = keyOf.get(e.seq());
            int n = leftPerKey.merge(key, 1, Integer::sum);
            assertEquals(arrived.get(key).get(n - 1), e.seq(), "key " + key + "'s records leave in arrival order");
            waiting.remove(Long.valueOf(e.seq()));
        }
        // as soon as it may: after a take, no complete record is at the head of its key
        for (var e : arrived.entrySet()) {
            int n = leftPerKey.getOrDefault(e.getKey(), 0);
            if (n < e.getValue().size()) {
                assertFalse(complete.contains(e.getValue().get(n)), "key " + e.getKey() + "'s complete head waits");
            }
        }
    }

    @Test
    void sequenceNumbersMustIncrease() {
        ForwardQueue<String> q = new ForwardQueue<>();
        q.add(5, "k", "a");
        assertThrows(IllegalArgumentException.class, () -> q.add(5, "j", "b"));
        assertThrows(IllegalArgumentException.class, () -> q.add(3, "j", "b"));
    }

    @Test
    void aRecordLeavingFromTheMiddleLeavesItsOwnSequenceNumber() {
        // what a TreeMap iterator's remove got wrong: an entry in the middle, whose node had two children
        ForwardQueue<String> q = new ForwardQueue<>();
        for (long s = 0; s < 7; s++) {
            q.add(s, s == 3 ? "b" : "a", "v" + s);
        }
        q.complete(3);
        List<ForwardQueue.Entry<String>> out = q.takeReady();
        assertEquals(List.of(new ForwardQueue.Entry<>(3L, "v3")), out);
        assertEquals(6, q.size());
        assertEquals(null, q.get(3));
        assertEquals("v4", q.get(4));
    }
}
