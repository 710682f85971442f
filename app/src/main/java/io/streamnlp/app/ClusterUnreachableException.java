package io.streamnlp.app;

/** The Kafka cluster did not answer at start-up within {@code startup.timeout.ms}: a runtime failure (exit 1), not bad configuration. */
public final class ClusterUnreachableException extends RuntimeException {
    public ClusterUnreachableException(String message) {
        super(message);
    }
}
