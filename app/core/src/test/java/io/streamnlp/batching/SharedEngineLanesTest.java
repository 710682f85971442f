package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.ForwardingEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import io.streamnlp.inference.SynchronizedEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two enrichments over one engine instance (as {@code StreamNlp.enrichment(config, engine)} twice with the same
 * engine does: each wraps it in a SynchronizedEngine of its own and makes a registry of its own): the engine's lanes
 * are shared, so no two batches ever run on one lane at once, and every record gets its own text's results.
 */
class SharedEngineLanesTest {
    @TempDir
    static Path tmp;

    static OnnxEnrichmentEngine real;

    /** The user's engine: the real one, recording which lanes are in use and failing on a lane used twice at once. */
    static final class Occupancy extends ForwardingEngine {
        final AtomicIntegerArray busy;
        final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());

        Occupancy() {
            super(real);
            busy = new AtomicIntegerArray(real.lanes());
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            int[] all = new int[real.lanes()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return infer(documents, all);
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
            List<Integer> entered = new ArrayList<>();
            try {
                for (int l : lanes) {
                    entered.add(l);
                    if (busy.getAndIncrement(l) != 0) {
                        overlaps.add("lane " + l + " already running a batch");
                        throw new IllegalStateException("two batches on lane " + l + " at once");
                    }
                }
                sleep(2); // a batch takes a while: another one on the same lane would meet it
                return real.infer(documents, lanes);
            } finally {
                for (int l : entered) {
                    busy.decrementAndGet(l);
                }
            }
        }

        @Override
        public void close() {}
    }

    static final class Task implements Owner {}

    private static final String[] TEXTS = {
        "Angela Merkel in Paris", "Acme shares fell", "football in Paris", "Angela Merkel met Acme", "software"
    };

    @BeforeAll
    static void open() {
        real = OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2);
    }

    @AfterAll
    static void close() {
        real.close();
    }

    @Test
    void theLanesBelongToTheEngineNotToAWrapper() {
        Occupancy user = new Occupancy();
        assertSame(Lanes.of(user), Lanes.of(new SynchronizedEngine(user)));
        assertSame(Lanes.of(new SynchronizedEngine(user)), Lanes.of(new SynchronizedEngine(user)));
        assertEquals(2, Lanes.of(user).count());
    }

    @Test
    void twoOverlappingEnrichmentsOverOneEngineNeverShareALane() throws Exception {
        runTwo(true, true);
    }

    @Test
    void twoInlineEnrichmentsOverOneEngineNeverShareALane() throws Exception {
        runTwo(false, false);
    }

    @Test
    void anInlineAndAnOverlappingEnrichmentOverOneEngineNeverShareALane() throws Exception {
        runTwo(false, true);
    }

    private void runTwo(boolean firstOverlap, boolean secondOverlap) throws Exception {
        Occupancy user = new Occupancy();
        Map<String, Enrichment> expected = new HashMap<>();
        for (String t : TEXTS) {
            expected.put(t, real.infer(List.of(real.encode(t))).results().get(0));
        }
        BatchPolicy policy = new BatchPolicy(3, 10_000, Duration.ofMillis(5));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (CoordinatorRegistry a = new CoordinatorRegistry(
                        new SynchronizedEngine(user), policy, BatchListener.NONE, firstOverlap);
                CoordinatorRegistry b = new CoordinatorRegistry(
                        new SynchronizedEngine(user), policy, BatchListener.NONE, secondOverlap)) {
            List<Future<List<String>>> runs = new ArrayList<>();
            // two stream threads of each enrichment, all at once
            for (CoordinatorRegistry r : List.of(a, b, a, b)) {
                runs.add(threads.submit(streamThread(r, expected)));
            }
            for (Future<List<String>> f : runs) {
                List<String> wrong = f.get(120, TimeUnit.SECONDS);
                assertEquals(List.of(), wrong, "every record gets its own text's results");
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(List.of(), user.overlaps, "never two batches on one lane at once");
    }

    /** One stream thread: 60 records of one task, flushed as a stream thread does; the records with wrong results. */
    private static Callable<List<String>> streamThread(CoordinatorRegistry registry, Map<String, Enrichment> expected) {
        return () -> {
            BatchCoordinator c = registry.current();
            Task task = new Task();
            int n = 60;
            for (int i = 0; i < n; i++) {
                c.add(task, i, registry.engine().encode(TEXTS[i % TEXTS.length]), System.nanoTime());
                c.flushIfFull();
            }
            List<Completed> done = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (done.size() < n && System.nanoTime() < deadline) {
                c.onTick(System.nanoTime());
                done.addAll(c.drain(task));
                sleep(1);
            }
            List<String> wrong = new ArrayList<>();
            assertEquals(n, done.size(), "every record came back");
            for (Completed d : done) {
                String text = TEXTS[(int) (d.ticket() % TEXTS.length)];
                if (d.enrichment() == null) {
                    wrong.add(d.ticket() + " failed: " + d.error());
                } else if (!same(expected.get(text), d.enrichment())) {
                    wrong.add(d.ticket() + " (" + text + ") got " + d.enrichment());
                }
            }
            assertNotNull(wrong);
            return wrong;
        };
    }

    private static boolean same(Enrichment want, Enrichment got) {
        return want.entities().toString().equals(got.entities().toString())
                && want.topic().label().equals(got.topic().label());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
