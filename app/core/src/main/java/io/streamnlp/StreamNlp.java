package io.streamnlp;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.config.EnricherConfig;
import java.util.Objects;

/**
 * The embeddable entry point: the enrichment as part of a user's own Kafka Streams application.
 *
 * <pre>{@code
 * try (Enricher enricher = StreamNlp.enrichment(config)) {
 *     EnrichmentStreams out = enricher.addTo(builder, builder.stream("texts", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())));
 *     out.entities().to("entities");
 *     out.deadLetters().to("texts-dlq");
 *     ...
 * }
 * }</pre>
 *
 * The configuration is streamnlp's own ({@code ner.model}, {@code batch.*}, {@code input.*}, ...; see
 * {@code config/streamnlp.properties}); its topic names and Kafka settings are not used, the user's topology and
 * properties decide those.
 *
 * <p>The enrichment cannot read the user's output topics' {@code max.message.bytes}: it assumes
 * {@code output.max.record.bytes} (1 MiB by default, the broker's default) and dead-letters a record whose event
 * would be larger ({@code OUTPUT_TOO_LARGE}) instead of failing the user's producer on it. Raise it to what the output
 * topics accept.
 */
public final class StreamNlp {
    private StreamNlp() {}

    /**
     * Opens the engine from the configuration's model bundles ({@code ner.model}, {@code topic.model},
     * {@code inference.*}) and times a warm-up batch (as the standalone app's start-up check does). The returned
     * {@link Enricher} owns the engine and closes it.
     */
    public static Enricher enrichment(EnricherConfig config) {
        return Enricher.open(Objects.requireNonNull(config, "config"), null);
    }

    /**
     * With the user's own engine, which must serve the tasks the configuration enables ({@code ner.enabled},
     * {@code topic.enabled}): one whose {@code nerModel()} or {@code topicModel()} is null for an enabled task is
     * refused with a {@link io.streamnlp.config.ConfigException}. The {@link Enricher} never closes it: the caller
     * does, after the enricher.
     */
    public static Enricher enrichment(EnricherConfig config, EnrichmentEngine engine) {
        return Enricher.open(Objects.requireNonNull(config, "config"), Objects.requireNonNull(engine, "engine"));
    }
}
