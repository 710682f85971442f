package io.streamnlp.batching;

import java.util.Arrays;

/**
 * Hands out the engine's inference lanes (parallel sessions, each with its own buffers) to batches, so
 * that no two batches ever run on the same lane. Shared by every stream thread's coordinator; thread-safe.
 */
public final class Lanes {
    private final boolean[] busy;
    private int free;

    public Lanes(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("need at least one lane, got " + count);
        }
        this.busy = new boolean[count];
        this.free = count;
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
