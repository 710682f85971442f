package io.streamnlp.api.engine;

/** Where ONNX Runtime runs the models. */
public enum Device {
    CPU,
    /** CUDA or fail at start-up. */
    CUDA,
    /** CUDA when it works, else CPU (one log line says which). */
    AUTO
}
