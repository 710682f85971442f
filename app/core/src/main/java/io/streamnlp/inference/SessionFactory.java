package io.streamnlp.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.streamnlp.api.engine.Device;
import io.streamnlp.model.BundleException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens ORT sessions on the requested device. */
final class SessionFactory {
    private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);

    private final OrtEnvironment env;
    private final EngineOptions options;
    private Device resolved;
    /** Intra-op threads for CPU sessions when the options leave them at 0 (ORT's default); 0: ORT's default. */
    private int cpuIntraOpThreads;

    SessionFactory(OrtEnvironment env, EngineOptions options) {
        this.env = env;
        this.options = options;
    }

    /** Sets the intra-op threads CPU sessions get when the options say 0 (the engine sizes them to its sessions). */
    void cpuIntraOpThreads(int threads) {
        this.cpuIntraOpThreads = threads;
    }

    /** The device sessions actually run on (after AUTO fell back, CPU); null before the first open. */
    Device resolved() {
        return resolved;
    }

    OrtSession open(Path model) {
        Device want = resolved != null && options.device() == Device.AUTO ? resolved : options.device();
        if (want == Device.CPU) {
            return create(model, false);
        }
        if (want == Device.AUTO && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            // the CPU build of ONNX Runtime (the default one) has no CUDA provider to try: CPU is the plan, not a
            // fallback
            log.debug("ONNX Runtime build without the CUDA provider; running on CPU");
            resolved = Device.CPU;
            return create(model, false);
        }
        try {
            OrtSession s = create(model, true);
            resolved = Device.CUDA;
            return s;
        } catch (RuntimeException | LinkageError e) {
            if (want == Device.CUDA) {
                throw new IllegalStateException(
                        "device CUDA requested but the CUDA execution provider failed for " + model + ": "
                                + rootMessage(e) + " (needs the onnxruntime_gpu build, CUDA 12, cuDNN 9 and a GPU)",
                        e);
            }
            // the GPU build on a machine where CUDA does not work: worth a line, as the build was chosen for the GPU
            log.info("CUDA unavailable ({}); running on CPU", rootMessage(e));
            resolved = Device.CPU;
            return create(model, false); // fresh SessionOptions: a failed addCUDA may leave the old one unusable
        }
    }

    private OrtSession create(Path model, boolean cuda) {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            } else if (!cuda && cpuIntraOpThreads > 0) {
                so.setIntraOpNumThreads(cpuIntraOpThreads);
            }
            if (options.interOpThreads() > 0) {
                so.setInterOpNumThreads(options.interOpThreads());
            }
            if (cuda) {
                so.addCUDA(0);
            } else if (resolved == null) {
                resolved = Device.CPU;
            }
            return env.createSession(model.toString(), so);
        } catch (OrtException e) {
            if (cuda) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            throw new BundleException(model + ": ONNX Runtime cannot load the model: " + e.getMessage(), e);
        } finally {
            so.close(); // the session keeps what it needs
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
