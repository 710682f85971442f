package io.streamnlp.inference;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.engine.ForwardingEngine;
import java.util.List;

/**
 * Shares one engine (and its model sessions' memory) between stream threads: whole-engine inference calls
 * are serialised, which costs nothing with one stream thread and little with several, since a run already
 * uses every lane. Calls on given lanes are not (the lanes' owner keeps them apart). Tokenization is
 * thread-safe and runs beside inference.
 */
public final class SynchronizedEngine extends ForwardingEngine {
    public SynchronizedEngine(EnrichmentEngine delegate) {
        super(delegate);
    }

    @Override
    public synchronized BatchResult infer(List<? extends EncodedDocument> documents) {
        return super.infer(documents);
    }

    @Override
    public synchronized void close() {
        super.close();
    }
}
