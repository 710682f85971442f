package io.streamnlp.model;

/** A model bundle that cannot be served: the message names the file and the mismatch. */
public class BundleException extends RuntimeException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
