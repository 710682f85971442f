package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.ForwardingEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The dispatch rule that keeps short records from waiting behind long documents, over random arrivals of short and
 * long records, batch ends and clock ticks, on 1 to 4 lanes, through the real coordinator (overlap on) and the real
 * engine on the lexicon bundle. The "inference threads" are the test's own: a dispatched batch runs when a step says
 * so, on the test thread, so every run is reproducible from jqwik's seed and there is nothing to time. Checked:
 * <ul>
 *   <li>a long batch never takes the last lane not held by long batches while short records wait or one arrived within
 *       the policy's short reserve (with one lane there is nothing to reserve);</li>
 *   <li>with one record a batch (every record a full batch), a callback leaves no lane free while a short record
 *       waits, nor while a long one waits unless long batches hold all lanes but one (the cap);</li>
 *   <li>once short records stop, every record is dispatched and delivered (long batches are not starved), each
 *       exactly once, and every document went through the engine once.</li>
 * </ul>
 */
class ShortLaneRuleTest {
    private static final long MS = 1_000_000L;
    private static final long RESERVE_MS = 200;
    private static final long MAX_WAIT_MS = 50;

    private static Path dir;
    private static OnnxEnrichmentEngine real;
    private static EncodedDocument shortDoc;
    private static EncodedDocument longDoc;

    @BeforeContainer
    static void openEngine() throws IOException {
        dir = Files.createTempDirectory("short-lane");
        real = OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(dir)), 4);
        shortDoc = real.encode("Angela Merkel in Paris");
        longDoc = real.encode("Paris ".repeat(300));
    }

    @AfterContainer
    static void closeEngine() throws IOException {
        real.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    enum Op {
        SHORT,
        LONG,
        FINISH,
        TICK
    }

    /** One step: a record arrives, a running batch ends ({@code arg} picks which), or the clock moves {@code arg} ms. */
    record Step(Op op, int arg) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Op> ops = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Op.SHORT)),
                Tuple.of(3, Arbitraries.just(Op.LONG)),
                Tuple.of(3, Arbitraries.just(Op.FINISH)),
                Tuple.of(2, Arbitraries.just(Op.TICK)));
        return Combinators.combine(ops, Arbitraries.integers().between(0, 400))
                .as(Step::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(40);
    }

    /** The real engine, counting the documents it was given. */
    static final class Counting extends ForwardingEngine {
        final AtomicInteger documents = new AtomicInteger();

        Counting() {
            super(real);
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> docs, int[] lanes) {
            documents.addAndGet(docs.size());
            return real.infer(docs, lanes);
        }

        @Override
        public void close() {}
    }

    static final class Task implements Owner {}

    /** One run: the coordinator, its lanes, and the test's inference "threads" (batches dispatched, not yet run). */
    static final class Run implements Executor {
        final Lanes lanes;
        final Counting engine = new Counting();
        final BatchCoordinator c;
        final int maxRecords;
        final Task owner = new Task();
        final List<Runnable> running = new ArrayList<>();
        final List<Long> delivered = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        /** Far ahead of System.nanoTime(), which the coordinator mixes in after a bounded wait for a lane. */
        long now = System.nanoTime() + 3_600_000 * MS;

        long seq;
        long lastShortNanos;
        boolean sawShort;
        int lastLongHeld;

        Run(int laneCount, int maxRecords) {
            this.lanes = new Lanes(laneCount);
            this.maxRecords = maxRecords;
            BatchPolicy policy = new BatchPolicy(
                    maxRecords,
                    100_000,
                    Duration.ofMillis(MAX_WAIT_MS),
                    Duration.ZERO,
                    Duration.ofMillis(1),
                    Duration.ofMillis(RESERVE_MS));
            this.c = new BatchCoordinator(engine, policy, BatchListener.NONE, lanes, this);
        }

        /** A batch was dispatched: its lanes are taken. Did a long one take the short records' last lane? */
        @Override
        public void execute(Runnable batch) {
            int longHeld = lanes.longHeld();
            boolean shortsAround = c.pendingShortRecords() > 0 || (sawShort && now - lastShortNanos < RESERVE_MS * MS);
            if (longHeld > lastLongHeld && lanes.count() > 1 && shortsAround && longHeld >= lanes.count()) {
                violations.add("a long batch took the last lane with short records around: " + longHeld + " of "
                        + lanes.count() + " lanes held by long batches, " + c.pendingShortRecords() + " short waiting");
            }
            lastLongHeld = longHeld;
            running.add(batch);
        }

        void step(Step s) {
            switch (s.op()) {
                case SHORT -> {
                    sawShort = true;
                    lastShortNanos = now;
                    c.add(owner, seq++, shortDoc, now);
                    c.flushIfFull();
                    checkNoLaneIdle();
                }
                case LONG -> {
                    c.add(owner, seq++, longDoc, now);
                    c.flushIfFull();
                    checkNoLaneIdle();
                }
                case FINISH -> finish(s.arg());
                case TICK -> {
                    now += s.arg() * MS;
                    c.onTick(now);
                    checkNoLaneIdle();
                }
            }
            collect();
        }

        private void finish(int pick) {
            if (!running.isEmpty()) {
                running.remove(pick % running.size()).run(); // infers, hands back the result, frees its lanes
                lastLongHeld = lanes.longHeld();
            }
        }

        private void collect() {
            for (Completed done : c.drain(owner)) {
                delivered.add(done.ticket());
            }
        }

        /** With one record a batch every record is a full batch: after a callback no lane is free while one could go. */
        private void checkNoLaneIdle() {
            if (maxRecords != 1 || lanes.free() == 0) {
                return;
            }
            int shorts = c.pendingShortRecords();
            int longs = c.pendingRecords() - shorts;
            if (shorts > 0) {
                violations.add(shorts + " short record(s) wait with " + lanes.free() + " lane(s) free");
            }
            if (longs > 0 && (lanes.count() == 1 || lanes.longHeld() < lanes.count() - 1)) {
                violations.add(longs + " long record(s) wait with " + lanes.free() + " lane(s) free and "
                        + lanes.longHeld() + " held by long batches");
            }
        }

        /** Short records have stopped: batches end, the clock moves past the reserve, until everything is delivered. */
        void drain() {
            for (int round = 0; round < 200 && (c.pendingRecords() > 0 || !running.isEmpty()); round++) {
                while (!running.isEmpty()) {
                    finish(0);
                }
                collect();
                now += (RESERVE_MS + MAX_WAIT_MS) * MS;
                c.onTick(now);
                collect();
            }
        }
    }

    @Property(tries = 150)
    void longBatchesNeverTakeTheShortRecordsLaneAndEveryRecordGoesOnce(
            @ForAll @IntRange(min = 1, max = 4) int lanes,
            @ForAll @IntRange(min = 1, max = 3) int maxRecords,
            @ForAll("steps") List<Step> steps) {
        Run run = new Run(lanes, maxRecords);
        for (Step s : steps) {
            run.step(s);
        }
        run.drain();

        assertEquals(List.of(), run.violations);
        assertEquals(0, run.c.pendingRecords(), "every record dispatched once short records stopped");
        assertTrue(run.running.isEmpty());
        assertEquals(
                LongStream.range(0, run.seq).boxed().toList(),
                run.delivered.stream().sorted().toList(),
                "every record delivered exactly once");
        assertEquals(run.seq, run.engine.documents.get(), "every document inferred once");
        assertEquals(0, run.lanes.longHeld());
        assertEquals(lanes, run.lanes.free());
        assertTrue(run.c.allDelivered());
    }
}
