package io.streamnlp.api.engine;

import java.util.List;
import java.util.Objects;

/**
 * An engine that passes every call to another: extend it to change a few calls (serialise them, count them, fail or
 * hold them in a test) and inherit the rest. {@link #close()} closes the wrapped engine.
 */
public abstract class ForwardingEngine implements EnrichmentEngine {
    private final EnrichmentEngine delegate;

    protected ForwardingEngine(EnrichmentEngine delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The engine this one passes its calls to. */
    public EnrichmentEngine delegate() {
        return delegate;
    }

    @Override
    public EncodedDocument encode(String text) {
        return delegate.encode(text);
    }

    @Override
    public BatchResult infer(List<? extends EncodedDocument> documents) {
        return delegate.infer(documents);
    }

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
    public void close() {
        delegate.close();
    }
}
