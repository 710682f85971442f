package io.streamnlp.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.engine.Device;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.model.Aggregation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Configuration → {@link EngineOptions} → a loaded {@link EnrichmentEngine}. */
public final class Engines {
    private static final Logger log = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    public static EnrichmentEngine open(EnricherConfig c) {
        OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(options(c), c.getInt(ConfigKeys.INFERENCE_SESSIONS));
        try {
            // the model's max length is only known once its bundle is loaded
            checkBucketSize(
                    c.getPositiveInt(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS),
                    engine.maxSequenceLength(),
                    engine.nerBundle() == null
                            ? 0
                            : engine.nerBundle().ner().labels().size());
        } catch (ConfigException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /**
     * Fails when the configuration enables a task ({@code ner.enabled}, {@code topic.enabled}) that the engine serves
     * no model for ({@link EnrichmentEngine#nerModel()} / {@link EnrichmentEngine#topicModel()} null, as the contract
     * says of a task it does not serve): that task's events would silently never be written.
     */
    public static void servesEnabledTasks(EnricherConfig c, EnrichmentEngine engine) {
        List<String> problems = new ArrayList<>();
        if (c.getBoolean(ConfigKeys.NER_ENABLED) && engine.nerModel() == null) {
            problems.add(ConfigKeys.NER_ENABLED + "=true but the engine serves no NER model (its nerModel() is null)");
        }
        if (c.getBoolean(ConfigKeys.TOPIC_ENABLED) && engine.topicModel() == null) {
            problems.add(
                    ConfigKeys.TOPIC_ENABLED + "=true but the engine serves no topic model (its topicModel() is null)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems)
                    + ": its events would never be written. Disable the task, or use an engine that serves it");
        }
    }

    /** Options from a configuration whose values (ranges, choices, an enabled task's model) are already checked. */
    public static EngineOptions options(EnricherConfig c) {
        boolean ner = c.getBoolean(ConfigKeys.NER_ENABLED);
        boolean topic = c.getBoolean(ConfigKeys.TOPIC_ENABLED);
        Device device = Device.valueOf(
                c.getChoice(ConfigKeys.INFERENCE_DEVICE, "cpu", "cuda", "auto").toUpperCase(Locale.ROOT));
        String precision = c.getChoice(ConfigKeys.INFERENCE_PRECISION, "auto", "fp32", "int8");
        Path nerBundle =
                ner ? forPrecision(bundle(c, ConfigKeys.NER_MODEL), precision, device, ConfigKeys.NER_MODEL) : null;
        Path topicBundle = topic
                ? forPrecision(bundle(c, ConfigKeys.TOPIC_MODEL), precision, device, ConfigKeys.TOPIC_MODEL)
                : null;
        String agg = c.getOrNull(ConfigKeys.NER_AGGREGATION);
        Aggregation aggregation = agg == null
                ? null
                : Aggregation.valueOf(c.getChoice(ConfigKeys.NER_AGGREGATION, "first", "average", "max")
                        .toUpperCase(Locale.ROOT));
        int intra = c.getInt(ConfigKeys.INFERENCE_INTRA_OP_THREADS);
        int inter = c.getInt(ConfigKeys.INFERENCE_INTER_OP_THREADS);
        return new EngineOptions(
                nerBundle,
                topicBundle,
                device,
                intra,
                inter,
                aggregation,
                c.getPositiveInt(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS));
    }

    /**
     * Fails (naming {@code inference.max.bucket.rows}) when one bucket's tensors could not be addressed: a run
     * feeds rows x maxLength input ids (8 bytes each) and gets back rows x maxLength x nerLabels NER logits
     * (4 bytes each), each held in one Java buffer, whose size is an int (BundleRuntime, the logits' positions).
     */
    public static void checkBucketSize(int rows, int maxLength, int nerLabels) {
        long bytesPerToken = Math.max(Long.BYTES, (long) Float.BYTES * nerLabels);
        long maxRows = Integer.MAX_VALUE / (bytesPerToken * Math.max(1, maxLength));
        if (rows > maxRows) {
            throw new ConfigException(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS + "=" + rows
                    + " is too large for the model: a bucket of " + rows
                    + " rows x " + maxLength + " tokens (its max length) x " + bytesPerToken
                    + " bytes overflows a 2 GiB tensor buffer; at most "
                    + maxRows + " rows (the default, 64, is plenty: buckets beyond a few hundred rows gain nothing)");
        }
    }

    /** The folder of a bundle's int8-compute sibling, as quantize_int8.py names it. */
    public static Path int8Sibling(Path bundle) {
        return bundle.resolveSibling(bundle.getFileName() + INT8_SUFFIX);
    }

    private static final String INT8_SUFFIX = "-int8";
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    /**
     * The bundle folder to serve for {@code inference.precision}: int8 compute is about twice as fast on a CPU with
     * VNNI for a few tenths of a point of F1, while on CUDA the float graph is the fast one. So auto takes the int8
     * sibling on CPU (when there is one) and the bundle as given on CUDA; a sibling of another version than its
     * source (a retrained bundle, a stale sibling) is not taken.
     */
    static Path forPrecision(Path bundle, String precision, Device device, String key) {
        boolean isInt8 =
                bundle.getFileName() != null && bundle.getFileName().toString().endsWith(INT8_SUFFIX);
        if (precision.equals("fp32") || isInt8) {
            return bundle;
        }
        Path sibling = int8Sibling(bundle);
        boolean present = Files.isRegularFile(sibling.resolve("bundle.json"));
        if (precision.equals("int8")) {
            if (!present) {
                throw new ConfigException(ConfigKeys.INFERENCE_PRECISION + "=int8 but " + key + " (" + bundle
                        + ") has no int8-compute sibling " + sibling
                        + ": make it with model-store/tools/quantize_int8.py " + bundle);
            }
            return announce(sibling, key, "inference.precision=int8");
        }
        if (!present || device == Device.CUDA || (device == Device.AUTO && cudaProvider())) {
            return bundle;
        }
        String want = version(bundle);
        String have = version(sibling);
        if (want == null || !want.equals(have)) {
            if (ANNOUNCED.add("stale " + sibling)) {
                log.warn(
                        "{}: not serving {} (version {}, its source {} is version {}): rerun model-store/tools/quantize_int8.py {}",
                        key,
                        sibling,
                        have,
                        bundle,
                        want,
                        bundle);
            }
            return bundle;
        }
        return announce(sibling, key, "inference.precision=auto on CPU; fp32 serves the bundle as given");
    }

    private static Path announce(Path sibling, String key, String why) {
        if (ANNOUNCED.add(key + " " + sibling)) {
            log.info("{}: serving {} (int8 compute; {})", key, sibling, why);
        }
        return sibling;
    }

    private static boolean cudaProvider() {
        try {
            return ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA);
        } catch (RuntimeException | LinkageError e) {
            return false; // no native library: the engine says so when it opens
        }
    }

    private static String version(Path bundle) {
        try {
            return new ObjectMapper()
                    .readTree(bundle.resolve("bundle.json").toFile())
                    .path("version")
                    .asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A bundle folder: as given when absolute or found from the working directory, else relative to
     * the project folder the jar was built in (so the launcher works from any directory).
     */
    static Path bundle(EnricherConfig c, String key) {
        return resolve(c.get(key));
    }

    public static Path resolve(String value) {
        Path p = Path.of(value);
        if (p.isAbsolute() || Files.exists(p)) {
            return p.toAbsolutePath().normalize();
        }
        Path home = projectHome();
        if (home != null && Files.exists(home.resolve(value))) {
            return home.resolve(value).normalize();
        }
        return p.toAbsolutePath().normalize(); // the loader names the missing path
    }

    /** The repository root when running from a module's target/*.jar or target/classes, else null. */
    public static Path projectHome() {
        try {
            Path loc = Path.of(Engines.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path d = loc; d != null; d = d.getParent()) {
                if (Files.isDirectory(d.resolve("model-store")) && Files.isDirectory(d.resolve("config"))) {
                    return d;
                }
            }
        } catch (Exception ignored) {
            // no code source (unusual class loader): only the working directory counts
        }
        return null;
    }
}
