package io.streamnlp.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.app.EnricherApp;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics and health for one processor: the Prometheus registry, our {@link EnricherMetrics}, Kafka
 * Streams' own metrics, and the HTTP endpoints. Started before the models load, so {@code /health}
 * answers (and {@code /ready} says 503) during a slow start; {@link #attach} adds what only exists
 * once the processor runs.
 */
public final class Monitoring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Monitoring.class);
    public static final String DEVICE = "streamnlp.device";
    public static final String MODEL = "streamnlp.model.info";
    public static final String PENDING = "streamnlp.buffer.pending";
    public static final String IN_FLIGHT = "streamnlp.batches.in.flight";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EnricherMetrics metrics;
    private final HttpEndpoints http;
    private volatile EnricherApp app;
    private KafkaStreamsMetrics streamsMetrics;

    private Monitoring(EnricherConfig config) {
        storeTags(registry);
        metrics = new EnricherMetrics(registry, Topics.from(config));
        new JvmMemoryMetrics().bindTo(registry);
        if (config.getBoolean(ConfigKeys.METRICS_ENABLED)) {
            int port = config.getInt(ConfigKeys.METRICS_PORT); // 0-65535, checked with the configuration
            http = HttpEndpoints.start(port, registry, this::health);
            log.info("metrics and health on http://0.0.0.0:{}/metrics, /health, /ready", http.port());
        } else {
            http = null;
        }
    }

    /**
     * Kafka Streams gives its state-store metrics a tag named after the store's type: the RocksDB batch buffer
     * {@code rocksdb.state.id}, the in-memory partials store {@code in.memory.state.id}, under the same
     * {@code kafka.stream.state.*} names. Prometheus wants one set of tag keys per name, so whichever store registered
     * second was dropped (a WARN, and which one depended on timing). Every store's meters carry {@code state.id} (the
     * store's name) and {@code store.type} ({@code rocksdb}, {@code in.memory}, ...) instead: one tag set, both stores.
     */
    static void storeTags(MeterRegistry registry) {
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith(STORE_METRICS)) {
                    return id;
                }
                List<Tag> tags = new ArrayList<>();
                String type = null;
                String store = null;
                for (Tag t : id.getTagsAsIterable()) {
                    if (type == null && t.getKey().endsWith(STATE_ID_SUFFIX)) {
                        type = t.getKey().substring(0, t.getKey().length() - STATE_ID_SUFFIX.length());
                        store = t.getValue();
                    } else {
                        tags.add(t);
                    }
                }
                if (type == null || type.isEmpty()) {
                    return id;
                }
                tags.add(Tag.of("state.id", store));
                tags.add(Tag.of("store.type", type));
                return id.replaceTags(tags);
            }
        });
    }

    private static final String STORE_METRICS = "kafka.stream.state.";
    private static final String STATE_ID_SUFFIX = ".state.id";

    public static Monitoring start(EnricherConfig config) {
        return new Monitoring(config);
    }

    /** Pass to {@link EnricherApp#start} as both its batch listener and its record hook. */
    public EnricherMetrics metrics() {
        return metrics;
    }

    /**
     * Loads the models and starts the processor with this monitoring's hooks, then attaches it. A
     * failure to start (bad bundle) leaves the endpoints to the caller to close.
     */
    public EnricherApp startApp(EnricherConfig config) {
        EnricherApp started = EnricherApp.start(config, metrics, metrics);
        attach(started);
        return started;
    }

    /** The processor is running (models loaded): bind its stream's metrics and describe its models and device. */
    public void attach(EnricherApp running) {
        streamsMetrics = new KafkaStreamsMetrics(running.streams());
        streamsMetrics.bindTo(registry);
        EnrichmentEngine engine = running.engine();
        String device =
                engine.device() == null ? "unknown" : engine.device().name().toLowerCase(Locale.ROOT);
        Gauge.builder(DEVICE, () -> 1)
                .description("Device ONNX Runtime runs on (tag)")
                .tag("device", device)
                .register(registry);
        model("ner", engine.nerModel());
        model("topic", engine.topicModel());
        Gauge.builder(PENDING, running.registry(), r -> r.pendingRecords())
                .description("Records tokenized and waiting for a batch")
                .register(registry);
        Gauge.builder(IN_FLIGHT, running.registry(), r -> r.inFlightBatches())
                .description("Batches handed to the inference threads and not yet forwarded")
                .register(registry);
        this.app = running;
    }

    private void model(String task, String nameAtVersion) {
        if (nameAtVersion == null) {
            return;
        }
        int at = nameAtVersion.lastIndexOf('@');
        String name = at < 0 ? nameAtVersion : nameAtVersion.substring(0, at);
        String version = at < 0 ? "" : nameAtVersion.substring(at + 1);
        Gauge.builder(MODEL, () -> 1)
                .description("Model bundle serving a task (tags)")
                .tags(Tags.of("task", task, "model", name, "version", version))
                .register(registry);
    }

    public HealthState health() {
        EnricherApp a = app;
        return a == null ? HealthState.STARTING : new HealthState(a.streams().state(), true);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The HTTP port, or -1 when metrics.enabled=false. */
    public int port() {
        return http == null ? -1 : http.port();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        registry.close();
    }
}
