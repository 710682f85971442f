package io.streamnlp.batching;

import io.streamnlp.inference.EnrichmentEngine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One {@link BatchCoordinator} per stream thread. Tasks look theirs up on the thread that runs them:
 * a task only ever runs on one stream thread at a time, so its coordinator is never shared.
 */
public final class CoordinatorRegistry {
    private final EnrichmentEngine engine;
    private final BatchPolicy policy;
    private final BatchListener listener;
    private final List<BatchCoordinator> all = new CopyOnWriteArrayList<>();
    private final ThreadLocal<BatchCoordinator> perThread;

    public CoordinatorRegistry(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this.engine = engine;
        this.policy = policy;
        this.listener = listener;
        this.perThread = ThreadLocal.withInitial(() -> {
            BatchCoordinator c = new BatchCoordinator(engine, policy, listener);
            all.add(c);
            return c;
        });
    }

    public BatchCoordinator current() {
        return perThread.get();
    }

    public BatchPolicy policy() {
        return policy;
    }

    public EnrichmentEngine engine() {
        return engine;
    }

    /** Records waiting in any coordinator: a gauge. */
    public int pendingRecords() {
        int n = 0;
        for (BatchCoordinator c : all) {
            n += c.pendingRecords();
        }
        return n;
    }
}
