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
 */
public final class Lanes {
    /** The lanes of each engine in use, by the engine the app or the user made (a SynchronizedEngine is unwrapped). */
    private static final Map<EnrichmentEngine, Lanes> BY_ENGINE = new WeakHashMap<>();

    private final boolean[] busy;
    private int free;

    public Lanes(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("need at least one lane, got " + count);
        }
        this.busy = new boolean[count];
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
        }
        notifyAll();
    }
}
