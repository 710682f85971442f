package io.streamnlp.batching;

import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link BatchCoordinator} per stream thread. Tasks look theirs up on the thread that runs them:
 * a task only ever runs on one stream thread at a time, so its coordinator is never shared. Every coordinator runs
 * its batches on the engine's {@link Lanes} ({@link Lanes#of}: one set per engine instance, also shared with other
 * registries of the same engine); with overlap, the coordinators share a pool of inference threads (one per lane).
 */
public final class CoordinatorRegistry implements AutoCloseable {
    private final EnrichmentEngine engine;
    private final BatchPolicy policy;
    private final BatchListener listener;
    private final List<BatchCoordinator> all = new CopyOnWriteArrayList<>();
    private final ThreadLocal<BatchCoordinator> perThread;
    private final Lanes lanes;
    private final ExecutorService inference;

    /** Batches run on the stream threads. */
    public CoordinatorRegistry(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener) {
        this(engine, policy, listener, false);
    }

    /** @param overlap run batches on inference threads, over the engine's lanes, while the stream threads go on */
    public CoordinatorRegistry(EnrichmentEngine engine, BatchPolicy policy, BatchListener listener, boolean overlap) {
        this.engine = engine;
        this.policy = policy;
        this.listener = listener;
        // the engine's lanes: shared with every other registry (enricher) of the same engine
        this.lanes = overlap ? Lanes.of(engine) : null;
        AtomicInteger n = new AtomicInteger();
        this.inference = overlap
                ? Executors.newFixedThreadPool(lanes.count(), r -> {
                    Thread t = new Thread(r, "streamnlp-inference-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                })
                : null;
        this.perThread = ThreadLocal.withInitial(() -> {
            BatchCoordinator c = new BatchCoordinator(engine, policy, listener, lanes, inference);
            all.add(c);
            return c;
        });
    }

    /** True when batches run off the stream threads. */
    public boolean overlap() {
        return lanes != null;
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

    /** Batches flushed and not yet delivered, in any coordinator: a gauge (safe from any thread). */
    public int inFlightBatches() {
        int n = 0;
        for (BatchCoordinator c : all) {
            n += c.inFlight();
        }
        return n;
    }

    /** Stops the inference threads once their batches are done (records not delivered stay in the stores). */
    @Override
    public void close() {
        if (inference != null) {
            inference.shutdown();
            try {
                inference.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Records waiting in any coordinator: a gauge (safe from any thread). */
    public int pendingRecords() {
        int n = 0;
        for (BatchCoordinator c : all) {
            n += c.pendingRecords();
        }
        return n;
    }
}
