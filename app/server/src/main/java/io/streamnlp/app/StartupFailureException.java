package io.streamnlp.app;

/**
 * The cluster is not as this processor needs it at start-up: a runtime failure (exit 1), not bad configuration, whose
 * message says all a user needs (no stack trace). It may pass by itself, so a supervisor's restart is the right answer.
 */
public class StartupFailureException extends RuntimeException {
    public StartupFailureException(String message) {
        super(message);
    }
}
