package io.streamnlp.runtime;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.batching.BatchBudget;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.Engines;
import io.streamnlp.inference.SynchronizedEngine;
import io.streamnlp.topology.BatchTimeLimit;
import io.streamnlp.topology.Settings;
import java.util.function.UnaryOperator;

/**
 * What an enrichment runs on, built one way for the embedded API and the standalone app: the topology settings, the
 * engine (opened from the configuration's bundles, or the caller's) behind one lock per lane, the batch policy fitted
 * to the device's measured speed and the transaction, and the batch coordinators of the stream threads. Close it after
 * every stream thread that runs on it has stopped: it stops the inference threads, then closes an engine it opened
 * (never one it was given).
 */
public final class EnrichmentRuntime implements AutoCloseable {
    private final Settings settings;
    private final EnrichmentEngine engine;
    private final boolean ownsEngine;
    private final CoordinatorRegistry registry;
    private boolean closed;

    private EnrichmentRuntime(
            Settings settings, EnrichmentEngine engine, boolean ownsEngine, CoordinatorRegistry registry) {
        this.settings = settings;
        this.engine = engine;
        this.ownsEngine = ownsEngine;
        this.registry = registry;
    }

    /**
     * The embedded API's runtime.
     *
     * @param userEngine the caller's engine (never closed here), or null to open one from the configuration
     */
    public static EnrichmentRuntime open(EnricherConfig config, EnrichmentEngine userEngine) {
        return open(config, userEngine, UnaryOperator.identity(), BatchListener.NONE);
    }

    /**
     * The standalone app's runtime: the engine opened from the configuration, then wrapped ({@code wrap}: tests hold or
     * fail batches with it), and every batch reported to {@code listener}.
     */
    public static EnrichmentRuntime open(
            EnricherConfig config, BatchListener listener, UnaryOperator<EnrichmentEngine> wrap) {
        return open(config, null, wrap, listener);
    }

    private static EnrichmentRuntime open(
            EnricherConfig config,
            EnrichmentEngine userEngine,
            UnaryOperator<EnrichmentEngine> wrap,
            BatchListener listener) {
        Settings settings = Settings.from(config);
        BatchPolicy.from(config); // a bad batch setting fails before the models load
        EnrichmentEngine engine =
                new SynchronizedEngine(userEngine != null ? userEngine : wrap.apply(Engines.open(config)));
        try {
            Engines.servesEnabledTasks(config, engine);
            boolean overlap = config.getBoolean(ConfigKeys.INFERENCE_OVERLAP);
            BatchPolicy policy = BatchBudget.fittedPolicy(config, engine, overlap, BatchTimeLimit.checked(config));
            CoordinatorRegistry registry = new CoordinatorRegistry(engine, policy, listener, overlap);
            return new EnrichmentRuntime(settings, engine, userEngine == null, registry);
        } catch (RuntimeException e) {
            if (userEngine == null) {
                engine.close();
            }
            throw e;
        }
    }

    /** The topology settings the configuration gives (the standalone app may lower the output limit). */
    public Settings settings() {
        return settings;
    }

    /** The engine the enrichment runs on (one lock per lane over the opened or given engine). */
    public EnrichmentEngine engine() {
        return engine;
    }

    /** The batch coordinators of the stream threads running this enrichment. */
    public CoordinatorRegistry registry() {
        return registry;
    }

    /** Stops the inference threads and closes the engine if this runtime opened it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.close();
        if (ownsEngine) {
            engine.close();
        }
    }
}
