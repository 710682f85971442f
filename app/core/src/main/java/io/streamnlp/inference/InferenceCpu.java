package io.streamnlp.inference;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * CPU time spent inside ONNX Runtime session runs, in this process, summed over every engine: what the bench (and
 * the {@code streamnlp_inference_cpu_seconds_total} metric) sets against the process's own CPU time to tell how
 * much of it the model gets. Measured as the CPU time of the thread that calls {@code run}: with one intra-op
 * thread per session (the CPU default with more than one lane) ONNX Runtime computes on that thread, so this is all
 * of it; with more intra-op threads its pool threads' share is not counted.
 */
public final class InferenceCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean SUPPORTED = THREADS.isCurrentThreadCpuTimeSupported();
    private static final LongAdder NANOS = new LongAdder();

    private InferenceCpu() {}

    /** The calling thread's CPU time so far (ns), or -1 when the JVM cannot tell. */
    static long threadNanos() {
        return SUPPORTED ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Adds the calling thread's CPU time since {@code start} (from {@link #threadNanos()}). */
    static void addSince(long start) {
        if (start >= 0) {
            long now = THREADS.getCurrentThreadCpuTime();
            if (now > start) {
                NANOS.add(now - start);
            }
        }
    }

    /** CPU seconds spent in session runs so far. */
    public static double seconds() {
        return NANOS.sum() / 1e9;
    }
}
