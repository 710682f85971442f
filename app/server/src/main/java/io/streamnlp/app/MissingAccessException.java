package io.streamnlp.app;

/**
 * The cluster's authorizer denies this processor's principal a right it needs (an ACL): named at start-up, before the
 * stream starts, instead of a stream thread's stack trace later. A runtime failure (exit 1): granting the ACL fixes it
 * without a change here.
 */
public final class MissingAccessException extends StartupFailureException {
    public MissingAccessException(String message) {
        super(message);
    }
}
