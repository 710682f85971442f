package io.streamnlp.inference;

import ai.onnxruntime.OrtEnvironment;
import io.streamnlp.api.engine.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens what an {@link OnnxEnrichmentEngine} runs on: the ONNX Runtime environment, one {@link BundleRuntime} per
 * distinct bundle folder (its tasks enabled and checked with a dummy run) and, per bundle, one session per lane.
 * Also opens a single bundle on its own, for the bench's raw sessions.
 */
public final class EngineLoader {
    private EngineLoader() {}

    /**
     * What {@link #load} opened. {@code lanes[i]}: the sessions bundle i's bucket rows are spread over, [0] the
     * runtime itself, the rest replicas. Closing frees the replicas, then the runtimes.
     */
    record Loaded(BundleRuntime[] runtimes, BundleRuntime[][] lanes, int nerIndex, int topicIndex, Device device)
            implements AutoCloseable {
        int laneCount() {
            return lanes.length == 0 ? 1 : lanes[0].length;
        }

        @Override
        public void close() {
            for (BundleRuntime[] l : lanes) {
                for (int k = 1; k < l.length; k++) {
                    l[k].close();
                }
            }
            for (BundleRuntime rt : runtimes) {
                rt.close();
            }
        }
    }

    /** The bundles of {@code options} with {@code sessions} lanes (0: auto, see {@link OnnxEnrichmentEngine#open(EngineOptions, int)}). */
    static Loaded load(EngineOptions options, int sessions) {
        if (sessions < 0) {
            throw new IllegalArgumentException("sessions must be >= 0 (0: auto), got " + sessions);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int cpuLanes = sessions > 0 ? sessions : Math.max(1, Math.min(cores, 4));
        OrtEnvironment env = environment();
        SessionFactory factory = new SessionFactory(env, options);
        if (cpuLanes > 1 && options.intraOpThreads() == 0) {
            factory.cpuIntraOpThreads(Math.max(1, cores / cpuLanes));
        }
        List<BundleRuntime> runtimes = new ArrayList<>();
        List<List<BundleRuntime>> lanes = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        try {
            int nerIndex =
                    options.nerBundle() == null ? -1 : runtime(options.nerBundle(), env, factory, runtimes, dirs);
            int topicIndex =
                    options.topicBundle() == null ? -1 : runtime(options.topicBundle(), env, factory, runtimes, dirs);
            for (int i = 0; i < runtimes.size(); i++) {
                runtimes.get(i).enable(i == nerIndex, i == topicIndex);
                runtimes.get(i).selfCheck();
            }
            int laneCount = factory.resolved() == Device.CUDA ? Math.max(1, sessions) : cpuLanes;
            for (BundleRuntime rt : runtimes) {
                List<BundleRuntime> l = new ArrayList<>();
                l.add(rt);
                lanes.add(l);
                for (int k = 1; k < laneCount; k++) {
                    l.add(rt.replica(factory));
                }
            }
            BundleRuntime[][] laneArrays = new BundleRuntime[lanes.size()][];
            for (int i = 0; i < laneArrays.length; i++) {
                laneArrays[i] = lanes.get(i).toArray(new BundleRuntime[0]);
            }
            return new Loaded(
                    runtimes.toArray(new BundleRuntime[0]), laneArrays, nerIndex, topicIndex, factory.resolved());
        } catch (RuntimeException e) {
            for (List<BundleRuntime> l : lanes) {
                for (int k = 1; k < l.size(); k++) {
                    l.get(k).close();
                }
            }
            runtimes.forEach(BundleRuntime::close);
            throw e;
        }
    }

    /**
     * One bundle folder on its own, every task it has enabled and checked, its session on the device and with the
     * threads of {@code sessionOptions} (their bundle paths are not used).
     */
    public static BundleRuntime open(Path dir, EngineOptions sessionOptions) {
        OrtEnvironment env = environment();
        BundleRuntime rt = BundleRuntime.open(env, new SessionFactory(env, sessionOptions), dir);
        try {
            rt.enable(rt.bundle.ner() != null, rt.bundle.topic() != null);
            rt.selfCheck();
            return rt;
        } catch (RuntimeException e) {
            rt.close();
            throw e;
        }
    }

    /** Another session on {@code rt}'s model serving the same tasks, on the device and threads of {@code sessionOptions}. */
    public static BundleRuntime replica(BundleRuntime rt, EngineOptions sessionOptions) {
        return rt.replica(new SessionFactory(environment(), sessionOptions));
    }

    /**
     * The ORT environment, created on a thread with an 8 MiB stack: onnxruntime 1.29 segfaults creating it on a
     * 1 MiB stack when the java command line is long (over ~4 KB; the version is pinned to 1.28.0 in pom.xml for
     * this); harmless insurance on 1.28.
     */
    public static OrtEnvironment environment() {
        OrtEnvironment[] env = new OrtEnvironment[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(
                null,
                () -> {
                    try {
                        env[0] = OrtEnvironment.getEnvironment();
                    } catch (Throwable e) {
                        error[0] = e;
                    }
                },
                "ort-environment",
                8L << 20);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating the ONNX Runtime environment", e);
        }
        if (error[0] != null) {
            throw new IllegalStateException("cannot create the ONNX Runtime environment: " + error[0], error[0]);
        }
        return env[0];
    }

    private static int runtime(
            Path dir, OrtEnvironment env, SessionFactory sessions, List<BundleRuntime> runtimes, List<Path> dirs) {
        Path key = canonical(dir);
        int at = dirs.indexOf(key);
        if (at >= 0) {
            return at;
        }
        runtimes.add(BundleRuntime.open(env, sessions, dir));
        dirs.add(key);
        return runtimes.size() - 1;
    }

    private static Path canonical(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
