package io.streamnlp.app;

/** The Kafka cluster did not answer at start-up within {@code startup.timeout.ms}. */
public final class ClusterUnreachableException extends StartupFailureException {
    public ClusterUnreachableException(String message) {
        super(message);
    }
}
