package io.streamnlp;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.runtime.EnrichmentRuntime;
import io.streamnlp.topology.EnricherTopology;
import io.streamnlp.topology.RecordMetrics;
import io.streamnlp.topology.StreamsSettings;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;

/**
 * The enrichment, ready to be added to one topology (once): its processor, its two changelogged stores (the batch
 * buffer, and the finished segments of long documents) and its three outputs, under names prefixed
 * {@code streamnlp-} (so its changelog topics are {@code <application.id>-streamnlp-batch-buffer-changelog} and
 * {@code ...-streamnlp-batch-partials-changelog}). Every guarantee of the standalone app holds inside the user's
 * application: with {@code processing.guarantee=exactly_once_v2}, every record gets its events or one dead letter,
 * once.
 *
 * <p>Lifecycle: the enricher holds the engine (native model sessions) and, with {@code inference.overlap}, a pool
 * of inference threads. Close it <em>after</em> the {@code KafkaStreams} instance has closed: a stream thread still
 * inside a batch would find the engine closed (the stream then stops without committing; nothing is dead-lettered).
 * With try-with-resources, open the enricher first and the {@code KafkaStreams} second, and they close in that
 * order. {@link #close()} closes an engine it opened from configuration, never one the user passed in.
 */
public final class Enricher implements AutoCloseable {
    private final EnricherConfig config;
    private final EnrichmentRuntime runtime;
    private String name;
    private boolean added;
    private boolean closed;

    private Enricher(EnricherConfig config, EnrichmentRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
    }

    /** @param userEngine the caller's engine, or null to open one from the configuration */
    static Enricher open(EnricherConfig config, EnrichmentEngine userEngine) {
        return new Enricher(config, EnrichmentRuntime.open(config, userEngine));
    }

    /**
     * Adds the enrichment to a DSL topology, reading {@code input} (raw record bytes: a JSON object with a
     * {@code text} field, or plain text, as {@code input.format} says).
     */
    public EnrichmentStreams addTo(StreamsBuilder builder, KStream<byte[], byte[]> input) {
        claim();
        EnricherTopology.Outputs<KStream<byte[], byte[]>> out = EnricherTopology.addTo(
                builder, input, runtime.settings(), runtime.registry(), RecordMetrics.NONE, name);
        return new EnrichmentStreams(out.entities(), out.topics(), out.deadLetters());
    }

    /** Adds the enrichment to a Processor API topology, reading from the {@code parents} nodes. */
    public EnrichmentNodes addTo(Topology topology, String... parents) {
        claim();
        EnricherTopology.Outputs<String> out = EnricherTopology.addTo(
                topology, runtime.settings(), runtime.registry(), RecordMetrics.NONE, name, parents);
        return new EnrichmentNodes(out.entities(), out.topics(), out.deadLetters());
    }

    /**
     * Names this enrichment, so that several can share one topology: its nodes and stores are called
     * {@code streamnlp-<name>-...} instead of {@code streamnlp-...} (its changelog topics become
     * {@code <application.id>-streamnlp-<name>-batch-buffer-changelog} and {@code ...-batch-partials-changelog}).
     * Call it before {@code addTo}; a second enrichment added to one topology under the same name (or both unnamed)
     * fails with an {@link IllegalStateException}. Renaming an enrichment that has run renames its changelogs: its
     * buffered records are then not restored.
     *
     * @param name 1 to 100 of {@code a-z A-Z 0-9 . _ -}
     * @return this enricher
     */
    public synchronized Enricher named(String name) {
        if (added) {
            throw new IllegalStateException("name the enricher before adding it to a topology");
        }
        EnricherTopology.checkName(Objects.requireNonNull(name, "name"));
        this.name = name;
        return this;
    }

    /** The engine the enrichment runs on (tests). */
    EnrichmentEngine engine() {
        return runtime.engine();
    }

    private synchronized void claim() {
        if (closed) {
            throw new IllegalStateException("this enricher is closed");
        }
        if (added) {
            throw new IllegalStateException("an enricher is added to one topology, once: open another for a second");
        }
        added = true;
    }

    /**
     * The Kafka Streams settings the enrichment relies on, to add to the application's properties: a poll no longer
     * than the batch timer's tick (so {@code batch.max.wait.ms} is honoured), a producer request size that takes the
     * largest event, and the transaction timeout the start-up check sized the batches for.
     */
    public Map<String, Object> streamsConfig() {
        Properties all = StreamsSettings.from(config);
        Map<String, Object> needed = new TreeMap<>();
        for (String key : new String[] {
            StreamsConfig.POLL_MS_CONFIG,
            StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
            StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
        }) {
            if (all.get(key) != null) {
                needed.put(key, all.get(key));
            }
        }
        return needed;
    }

    /**
     * Stops the inference threads and closes the engine if this enricher opened it. Call it after the
     * {@code KafkaStreams} instance has closed (see the class comment). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        runtime.close();
    }
}
