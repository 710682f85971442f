package io.streamnlp.app;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.decode.Aggregation;
import io.streamnlp.api.engine.Device;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Configuration → {@link EngineOptions} → a loaded {@link EnrichmentEngine}. */
public final class Engines {
    private Engines() {}

    public static EnrichmentEngine open(EnricherConfig c) {
        int sessions = c.getInt(ConfigKeys.INFERENCE_SESSIONS);
        if (sessions < 0) {
            throw new ConfigException(ConfigKeys.INFERENCE_SESSIONS + " must be >= 0 (0: auto)");
        }
        OnnxEnrichmentEngine engine = OnnxEnrichmentEngine.open(options(c), sessions);
        try {
            // the model's max length is only known once its bundle is loaded
            checkBucketSize(c.getPositiveInt(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS), engine.maxSequenceLength(),
                    engine.nerBundle() == null ? 0 : engine.nerBundle().ner().labels().size());
        } catch (ConfigException e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    public static EngineOptions options(EnricherConfig c) {
        boolean ner = c.getBoolean(ConfigKeys.NER_ENABLED);
        boolean topic = c.getBoolean(ConfigKeys.TOPIC_ENABLED);
        if (!ner && !topic) {
            throw new ConfigException(ConfigKeys.NER_ENABLED + " and " + ConfigKeys.TOPIC_ENABLED + " are both false: nothing to do");
        }
        Path nerBundle = ner ? bundle(c, ConfigKeys.NER_MODEL) : null;
        Path topicBundle = topic ? bundle(c, ConfigKeys.TOPIC_MODEL) : null;
        Device device = Device.valueOf(c.getChoice(ConfigKeys.INFERENCE_DEVICE, "cpu", "cuda", "auto").toUpperCase(Locale.ROOT));
        String agg = c.getOrNull(ConfigKeys.NER_AGGREGATION);
        Aggregation aggregation = agg == null ? null
                : Aggregation.valueOf(c.getChoice(ConfigKeys.NER_AGGREGATION, "first", "average", "max").toUpperCase(Locale.ROOT));
        int intra = c.getInt(ConfigKeys.INFERENCE_INTRA_OP_THREADS);
        int inter = c.getInt(ConfigKeys.INFERENCE_INTER_OP_THREADS);
        if (intra < 0 || inter < 0) {
            throw new ConfigException("inference thread counts must be >= 0 (0 = ONNX Runtime's default)");
        }
        return new EngineOptions(nerBundle, topicBundle, device, intra, inter, aggregation,
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
            throw new ConfigException(ConfigKeys.INFERENCE_MAX_BUCKET_ROWS + "=" + rows + " is too large for the model: a bucket of " + rows
                    + " rows x " + maxLength + " tokens (its max length) x " + bytesPerToken + " bytes overflows a 2 GiB tensor buffer; at most "
                    + maxRows + " rows (the default, 64, is plenty: buckets beyond a few hundred rows gain nothing)");
        }
    }

    /**
     * A bundle folder: as given when absolute or found from the working directory, else relative to
     * the project folder the jar was built in (so the launcher works from any directory).
     */
    static Path bundle(EnricherConfig c, String key) {
        String value = c.getOrNull(key);
        if (value == null) {
            throw new ConfigException(key + " is empty: set the model bundle folder");
        }
        return resolve(value);
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

    /** The repository root when running from app/target/*.jar or app/target/classes, else null. */
    public static Path projectHome() {
        try {
            Path loc = Path.of(Engines.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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
