package io.streamnlp.api.engine;

import java.util.Locale;

/**
 * The engine, not the records, failed: it is closed, the device is in a sticky error state, memory ran out, or a
 * batch's isolation found every part failing. Records must not be dead-lettered for it: the stream stops without
 * committing, so that a restart (or another instance) retries them.
 */
public class EngineFailureException extends IllegalStateException {
    public EngineFailureException(String message) {
        super(message);
    }

    public EngineFailureException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * True for failures that are no single record's fault: this exception, a JVM out of memory (or another
     * {@link VirtualMachineError} but a stack overflow, which one pathological input can cause), and ONNX Runtime
     * errors that name the device (CUDA/cuBLAS/cuDNN errors, failed allocations), which fail every later batch too.
     */
    public static boolean isEngineLevel(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof EngineFailureException
                    || (c instanceof VirtualMachineError && !(c instanceof StackOverflowError))) {
                return true;
            }
            String m = c.getMessage();
            if (m != null) {
                String s = m.toLowerCase(Locale.ROOT);
                if (s.contains("cuda")
                        || s.contains("cublas")
                        || s.contains("cudnn")
                        || s.contains("out of memory")
                        || s.contains("failed to allocate")) {
                    return true;
                }
            }
        }
        return false;
    }
}
