package io.streamnlp.api.engine;

/**
 * A text tokenized for every model the engine runs, split into windows of at most the model's max
 * length. Cheap to hold in memory while a record waits in the batch buffer.
 */
public interface EncodedDocument {
    /** The original text. */
    String text();

    /** Tokens the batch will feed for this document (all windows, specials included, no padding). */
    int tokenCount();

    /** Length of its longest window: what it costs to pad a bucket to it. */
    int maxWindowLength();

    /**
     * Content tokens (specials excluded) of the model that sees the fewest: 0 when some model would see only its
     * special tokens (a text of zero-width or control characters, which a tokenizer's normalizer drops), whose
     * output would then be a label for no content at all.
     */
    default int contentTokens() {
        return tokenCount();
    }
}
