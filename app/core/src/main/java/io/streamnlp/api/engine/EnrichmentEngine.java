package io.streamnlp.api.engine;

import java.util.List;

/**
 * Text in, entities and topics out: tokenization, batched inference and decoding, for the NER and/or topic
 * models configured (the built-in one runs ONNX model bundles; a user may implement their own and hand it to
 * {@code io.streamnlp.StreamNlp}). {@link #infer(List)} calls must not
 * overlap (one caller, or external synchronisation); calls on disjoint lanes ({@link #infer(List, int[])})
 * may run in parallel.
 */
public interface EnrichmentEngine extends AutoCloseable {

    /** Tokenizes (and windows) a text; throws IllegalArgumentException for a text it cannot encode. */
    EncodedDocument encode(String text);

    /**
     * Runs every enabled model over the documents (sorted by length and split into buckets padded only
     * to their own longest window) and decodes the results, in the order given.
     */
    BatchResult infer(List<? extends EncodedDocument> documents);

    /**
     * Parallel lanes (sessions with their own buffers): batches on different lanes may run at the same time,
     * from different threads. 1 for an engine that runs one batch at a time.
     */
    default int lanes() {
        return 1;
    }

    /**
     * As {@link #infer(List)} on the given lanes only (distinct, in [0, {@link #lanes()})): the caller guarantees
     * that no other call uses them meanwhile; {@link #infer(List)} itself uses them all.
     */
    default BatchResult infer(List<? extends EncodedDocument> documents, int[] lanes) {
        return infer(documents);
    }

    /** Name@version of the model bundle serving NER, or null when NER is disabled. */
    String nerModel();

    /** Name@version of the model bundle serving topics, or null when topics are disabled. */
    String topicModel();

    /** The device inference runs on (AUTO resolved), or null when the engine cannot tell: a metric's tag. */
    default Device device() {
        return null;
    }

    @Override
    void close();
}
