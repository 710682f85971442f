package io.streamnlp.app;

/**
 * The input topic does not exist. Kafka Streams never creates a source topic: it would fail at its first rebalance
 * with a {@code MissingSourceTopicException}, so the start-up check says it first, in one line.
 */
public final class InputTopicMissingException extends StartupFailureException {
    public InputTopicMissingException(String message) {
        super(message);
    }
}
