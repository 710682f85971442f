package io.streamnlp.inference;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import java.util.List;

/**
 * Shares one engine (and its model sessions' memory) between stream threads: whole-engine inference calls
 * are serialised, which costs nothing with one stream thread and little with several, since a run already
 * uses every lane. Calls on given lanes are not (the lanes' owner keeps them apart). Tokenization is
 * thread-safe and runs beside inference.
 */
public final class SynchronizedEngine implements EnrichmentEngine {
    private final EnrichmentEngine delegate;

    public SynchronizedEngine(EnrichmentEngine delegate) {
        this.delegate = delegate;
    }

    /** The engine this one serialises. */
    public EnrichmentEngine delegate() {
        return delegate;
    }

    @Override
    public EncodedDocument encode(String text) {
        return delegate.encode(text);
    }

    @Override
    public synchronized BatchResult infer(List<? extends EncodedDocument> documents) {
        return delegate.infer(documents);
    }

    /** Not serialised: the caller's lanes are its own (see {@link EnrichmentEngine#infer(List, int[])}). */
    @Override
    public BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
        return delegate.infer(documents, lanes);
    }

    @Override
    public int lanes() {
        return delegate.lanes();
    }

    @Override
    public String nerModel() {
        return delegate.nerModel();
    }

    @Override
    public String topicModel() {
        return delegate.topicModel();
    }

    @Override
    public Device device() {
        return delegate.device();
    }

    @Override
    public synchronized void close() {
        delegate.close();
    }
}
