package io.streamnlp.batching;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.inference.SynchronizedEngine;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Hands out an engine's inference lanes (parallel sessions, each with its own buffers) to batches, so that no two
 * batches ever run on the same lane. The lanes belong to the engine, not to whoever runs batches on it: {@link #of}
 * gives every coordinator, registry and enricher of one engine instance the same {@code Lanes} (two enrichers over one
 * engine each with lanes of their own ran two batches on one lane's buffers at once: one record's entities on
 * another). Batches on the stream thread take every lane ({@link #acquireAll}), so they too keep clear of batches on
 * inference threads. Thread-safe.
 *
 * <p>Short records never wait behind long documents: {@link #tryAcquireLong} and {@link #acquireLong} give batches of
 * long records (over {@link PendingQueue#LONG_TOKENS} tokens) at most all lanes but one in total while short records
 * are around (waiting, or seen within the policy's {@link BatchPolicy#shortReserve()}), so a short batch always finds
 * a lane no long batch holds; with no short record around, long batches may hold every lane (a stream of long
 * documents alone is not slowed down). With one lane there is nothing to reserve: a long batch may take it. Why: at
 * half load the long documents alone kept more than one lane busy, so two long batches (250-500 ms each) often held
 * both lanes and the short records queued behind them (docs/PERFORMANCE.md, "Why the short records' p99 does not
 * hold").
 */
public final class Lanes {
    /** The lanes of each engine in use, by the engine the app or the user made (a SynchronizedEngine is unwrapped). */
    private static final Map<EnrichmentEngine, Lanes> BY_ENGINE = new WeakHashMap<>();

    private final boolean[] busy;
    /** The lanes held by batches of long records, and how many. */
    private final boolean[] heldLong;

    private int free;
    private int longHeld;
    /** Until when (nanoTime) a short record was seen by a coordinator of this engine, plus its reserve window. */
    private long shortsUntilNanos;

    private boolean shortsSeen;

    public Lanes(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("need at least one lane, got " + count);
        }
        this.busy = new boolean[count];
        this.heldLong = new boolean[count];
        this.free = count;
    }

    /**
     * The lanes of {@code engine}: one {@code Lanes} per engine instance (held as long as the engine is), shared by
     * everything that runs batches on it. A {@link SynchronizedEngine} stands for the engine it wraps.
     */
    public static Lanes of(EnrichmentEngine engine) {
        EnrichmentEngine key = engine instanceof SynchronizedEngine s ? s.delegate() : engine;
        synchronized (BY_ENGINE) {
            return BY_ENGINE.computeIfAbsent(key, e -> new Lanes(Math.max(1, e.lanes())));
        }
    }

    public int count() {
        return busy.length;
    }

    public synchronized int free() {
        return free;
    }

    /** Lanes held by batches of long records now. */
    public synchronized int longHeld() {
        return longHeld;
    }

    /**
     * A coordinator saw short records (one arrived, or some wait in its queue): one lane stays out of long batches'
     * reach until {@code untilNanos} (System.nanoTime(); a later call may only extend it). Shared by every coordinator
     * of the engine, as the lanes are.
     */
    public synchronized void reserveForShortsUntil(long untilNanos) {
        if (!shortsSeen || untilNanos - shortsUntilNanos > 0) {
            shortsUntilNanos = untilNanos;
            shortsSeen = true;
        }
    }

    /**
     * How many lanes a batch of long records may take at {@code nowNanos}: the free lanes, but while short records are
     * around (waiting in the caller's queue, or a reservation still runs) at most all lanes but one held by long
     * batches in total. With a single lane, every lane (nothing to reserve).
     */
    public synchronized int longRoom(boolean shortsWaiting, long nowNanos) {
        boolean shortsAround = shortsWaiting || (shortsSeen && nowNanos - shortsUntilNanos < 0);
        int cap = shortsAround && busy.length > 1 ? busy.length - 1 : busy.length;
        return Math.max(0, Math.min(free, cap - longHeld));
    }

    /**
     * Up to {@code max} free lanes for a batch of long records, within {@link #longRoom}; null when it leaves none.
     * They are released with {@link #release}, like any others.
     */
    public synchronized int[] tryAcquireLong(int max, boolean shortsWaiting, long nowNanos) {
        int room = longRoom(shortsWaiting, nowNanos);
        int[] got = tryAcquire(Math.min(max, room));
        if (got != null) {
            for (int i : got) {
                heldLong[i] = true;
            }
            longHeld += got.length;
        }
        return got;
    }

    /**
     * Like {@link #tryAcquireLong}, waiting at most {@code timeoutNanos} for room; null when none came. Whether short
     * records are around is judged as at {@code nowNanos} for the whole wait (at most one budget).
     */
    public synchronized int[] acquireLong(int max, boolean shortsWaiting, long nowNanos, long timeoutNanos)
            throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (longRoom(shortsWaiting, nowNanos) == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(left / 1_000_000L, (int) (left % 1_000_000L));
        }
        return tryAcquireLong(max, shortsWaiting, nowNanos);
    }

    /** Up to {@code max} free lanes, or null when none is free. */
    public synchronized int[] tryAcquire(int max) {
        if (free == 0 || max <= 0) {
            return null;
        }
        int[] got = new int[Math.min(max, free)];
        int n = 0;
        for (int i = 0; i < busy.length && n < got.length; i++) {
            if (!busy[i]) {
                busy[i] = true;
                got[n++] = i;
            }
        }
        free -= n;
        return got;
    }

    /** Up to {@code max} lanes, waiting until at least one is free. */
    public synchronized int[] acquire(int max) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        while (free == 0) {
            wait();
        }
        return tryAcquire(max);
    }

    /** Up to {@code max} lanes, waiting at most {@code timeoutNanos} for one to be free; null when none was. */
    public synchronized int[] acquire(int max, long timeoutNanos) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        if (!awaitFree(1, timeoutNanos)) {
            return null;
        }
        return tryAcquire(max);
    }

    /** Every lane, waiting at most {@code timeoutNanos} until all are free; null when they were not. */
    public synchronized int[] acquireAll(long timeoutNanos) throws InterruptedException {
        if (!awaitFree(busy.length, timeoutNanos)) {
            return null;
        }
        return tryAcquire(busy.length);
    }

    /** Every lane, waiting as long as it takes. */
    public synchronized int[] acquireAll() throws InterruptedException {
        while (free < busy.length) {
            wait();
        }
        return tryAcquire(busy.length);
    }

    private boolean awaitFree(int wanted, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
        while (free < wanted) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            long ms = left / 1_000_000L;
            wait(ms, (int) (left % 1_000_000L));
        }
        return true;
    }

    public synchronized void release(int[] lanes) {
        for (int i : lanes) {
            if (!busy[i]) {
                throw new IllegalStateException("lane " + i + " released twice (" + Arrays.toString(lanes) + ")");
            }
            busy[i] = false;
            free++;
            if (heldLong[i]) {
                heldLong[i] = false;
                longHeld--;
            }
        }
        notifyAll();
    }
}
