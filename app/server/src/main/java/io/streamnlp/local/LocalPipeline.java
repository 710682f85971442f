package io.streamnlp.local;

import io.streamnlp.app.EnricherApp;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import io.streamnlp.logging.KnownNoise;
import io.streamnlp.topology.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * An embedded single-node broker, the processor's topics and a running processor: what {@code demo},
 * {@code eval} and {@code bench} start when no cluster is given.
 */
public final class LocalPipeline implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final EnricherApp app;
    private final EnricherConfig config;
    private final boolean ownsKafka;

    private LocalPipeline(EmbeddedKafka kafka, EnricherApp app, EnricherConfig config, boolean ownsKafka) {
        this.kafka = kafka;
        this.app = app;
        this.config = config;
        this.ownsKafka = ownsKafka;
    }

    /**
     * @param configure turns the forced settings (bootstrap, application id, state dir) into the full
     *                  configuration, applying the caller's file/env/flags underneath them
     */
    public static LocalPipeline start(
            String applicationId,
            int inputPartitions,
            Function<Map<String, String>, EnricherConfig> configure,
            BatchListener listener)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            return startOn(kafka, true, applicationId, inputPartitions, configure, listener);
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    /**
     * A processor on a broker that is already running (the bench runs several pipelines on one broker).
     * Closing it closes the broker only when {@code ownsKafka}.
     */
    public static LocalPipeline startOn(
            EmbeddedKafka kafka,
            boolean ownsKafka,
            String applicationId,
            int inputPartitions,
            Function<Map<String, String>, EnricherConfig> configure,
            BatchListener listener)
            throws Exception {
        Map<String, String> forced = new HashMap<>();
        forced.put(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        forced.put(ConfigKeys.APPLICATION_ID, applicationId);
        // a local demo/eval/bench is no place to refuse a slow CPU: warn instead
        forced.put(ConfigKeys.STARTUP_BATCH_CHECK, "warn");
        Path stateDir = Files.createTempDirectory("streamnlp-" + applicationId);
        KnownNoise.temporaryStateDir(stateDir); // a throwaway state folder in the OS temp dir, on purpose
        forced.put(ConfigKeys.STATE_DIR, stateDir.toString());
        EnricherConfig c = configure.apply(forced);
        Settings settings = Settings.from(c);
        TopicAdmin.ensureTopics(
                kafka.bootstrapServers(),
                Map.of(),
                Topics.from(c),
                inputPartitions,
                inputPartitions,
                settings.maxRecordBytes());
        EnricherApp app = EnricherApp.start(c, listener);
        if (!app.awaitRunning(Duration.ofSeconds(90))) {
            app.close();
            throw new IllegalStateException("the processor did not reach RUNNING (state "
                    + app.streams().state() + ")");
        }
        return new LocalPipeline(kafka, app, c, ownsKafka);
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EnricherApp app() {
        return app;
    }

    public EnricherConfig config() {
        return config;
    }

    @Override
    public void close() {
        try {
            app.close(Duration.ofSeconds(30));
        } finally {
            if (ownsKafka) {
                kafka.close();
            }
        }
    }
}
