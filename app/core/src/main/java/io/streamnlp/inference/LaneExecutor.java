package io.streamnlp.inference;

import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.tokenize.EncodedText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a {@link BucketPlan} on lanes, one session of the same bundle each: lane 0 on the calling thread, the others
 * on this executor's threads, each feeding its parts' rows (the windows' content tokens) into its session.
 */
public final class LaneExecutor implements AutoCloseable {
    /** Runs lanes 1.. while the calling thread runs lane 0; null with one lane. */
    private final ExecutorService pool;

    /** @param lanes the most lanes one {@link #run} is given */
    public LaneExecutor(int lanes) {
        this.pool = lanes <= 1
                ? null
                : Executors.newFixedThreadPool(lanes - 1, r -> {
                    Thread t = new Thread(r, "inference-lane");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Runs every part of {@code plan}, lane {@code k}'s on {@code lanes[k]}, and waits for all. Document d of the
     * plan is {@code texts[d]}. The caller closes the outputs; on failure they are closed here.
     */
    public LaneOutputs run(BundleRuntime[] lanes, BucketPlan plan, EncodedText[] texts) {
        if (lanes.length != plan.lanes()) {
            throw new IllegalArgumentException(lanes.length + " lanes for a plan of " + plan.lanes());
        }
        BundleRuntime.Output[] outs = new BundleRuntime.Output[plan.parts().size()];
        long t0 = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int k = 1; k < lanes.length; k++) {
            int[] mine = plan.partsOf(k);
            if (mine.length > 0) {
                BundleRuntime rt = lanes[k];
                running.add(pool.submit(() -> runLane(rt, plan, mine, texts, outs)));
            }
        }
        RuntimeException failure = null;
        try {
            runLane(lanes[0], plan, plan.partsOf(0), texts, outs);
        } catch (RuntimeException e) {
            failure = e;
        }
        // Every lane's run is waited for, interrupt or not: giving up early would let the caller free lanes whose
        // sessions are still running and leave their outputs unclosed. An interrupt is kept for the caller to see
        // and is no failure of the batch (its results are complete).
        boolean interrupted = false;
        for (Future<?> f : running) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException re
                                ? re
                                : new InferenceException(e.getCause().toString(), e.getCause());
                    }
                    break;
                } catch (CancellationException e) {
                    if (failure == null) {
                        failure = new EngineFailureException("an inference lane was cancelled (engine closing)", e);
                    }
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LaneOutputs result = new LaneOutputs(outs, System.nanoTime() - t0);
        if (failure != null) {
            result.close();
            throw failure;
        }
        return result;
    }

    /** Runs the given parts on one lane's session, leaving each output in {@code outs}. */
    private static void runLane(
            BundleRuntime rt, BucketPlan plan, int[] mine, EncodedText[] texts, BundleRuntime.Output[] outs) {
        for (int pi : mine) {
            BucketPlan.Slice part = plan.parts().get(pi);
            BundleRuntime.Rows content = (row, buf) -> {
                int r = part.from() + row;
                EncodedText et = texts[plan.document(r)];
                int k = plan.window(r);
                buf.put(et.ids(), et.windowStart(k), et.windowEnd(k) - et.windowStart(k));
            };
            outs[pi] = rt.run(content, part.count(), part.width());
        }
    }

    /** Stops the lane threads (a running {@link #run} sees its lanes cancelled). */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
