package io.streamnlp.inference;

/** ONNX Runtime failed on a batch; the caller may split the batch to isolate a poison record. */
public class InferenceException extends RuntimeException {
    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
