package io.streamnlp.topology;

import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.InputOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;

/** Kafka Streams properties from our configuration; {@code kafka.*} settings are applied last, as given. */
public final class StreamsSettings {
    private StreamsSettings() {}

    /**
     * The producer's effective {@code max.request.size}, resolved as Kafka Streams resolves it for the producer: a
     * {@code kafka.producer.max.request.size} wins over a plain {@code kafka.max.request.size}, which wins over ours
     * ({@link #from} sets ours only when neither is given). The output guard reads this very value, so it never lets
     * through an event the producer would refuse.
     */
    public static long producerMaxRequestBytes(EnricherConfig c) {
        String over = c.kafkaOverrides().get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (over == null) {
            over = c.kafkaOverrides().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        if (over != null) {
            try {
                return Long.parseLong(over.trim());
            } catch (NumberFormatException e) {
                // Kafka rejects it at start with its own message
            }
        }
        return Settings.maxRecordBytes(InputOptions.from(c).maxBytes());
    }

    /**
     * Exception handlers that fail the stream, the only ones under which a record that cannot be processed or written
     * is not lost: the enrichment deletes a record's buffered entry as it forwards its events, so a handler that
     * continues past a failed send (or a failed process call) commits the deletion without the events.
     */
    private static final Map<String, Set<String>> FAILING_HANDLERS = Map.of(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
            Set.of(LogAndFailProcessingExceptionHandler.class.getName()),
            StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
            Set.of(DefaultProductionExceptionHandler.class.getName()),
            "default.production.exception.handler", // the deprecated name of the above
            Set.of(DefaultProductionExceptionHandler.class.getName()));

    /**
     * Fails when Kafka Streams' settings name a processing or production exception handler other than the failing
     * defaults: one that continues drops a record's events while its buffered entry is deleted, so the record is
     * lost without a dead letter. (The deserialization handler is not checked: the enrichment reads raw bytes, which
     * never fail to deserialize, so it never runs for the enrichment's input.)
     *
     * @param streamsConfig Kafka Streams' settings (values as strings or classes)
     * @param keyPrefix     what the user wrote before each key ({@code kafka.} in our configuration, nothing in a
     *                      Kafka Streams application's own properties)
     */
    public static void refuseDroppingHandlers(Map<?, ?> streamsConfig, String keyPrefix) {
        List<String> problems = new ArrayList<>();
        for (var e : FAILING_HANDLERS.entrySet()) {
            Object v = streamsConfig.get(e.getKey());
            if (v == null) {
                continue;
            }
            String name =
                    v instanceof Class<?> k ? k.getName() : String.valueOf(v).trim();
            if (!name.isEmpty() && !e.getValue().contains(name)) {
                problems.add(keyPrefix + e.getKey() + "=" + name);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join(", ", problems)
                    + ": a handler that can continue past a failure drops the record's events while the enrichment"
                    + " deletes its buffered copy, so the record is lost without a dead letter (exactly-once breaks)."
                    + " Remove it: the default fails the stream, and records that cannot be enriched are dead-lettered"
                    + " already");
        }
    }

    public static Properties from(EnricherConfig c) {
        Settings settings = Settings.from(c);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, c.get(ConfigKeys.APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.get(ConfigKeys.BOOTSTRAP_SERVERS));
        p.put(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                c.getChoice(
                        ConfigKeys.PROCESSING_GUARANTEE, StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE));
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, c.getLong(ConfigKeys.COMMIT_INTERVAL_MS));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, c.getPositiveInt(ConfigKeys.NUM_STREAM_THREADS));
        // The wall-clock punctuator that honours batch.max.wait.ms only runs between polls: poll no longer than a tick.
        p.put(StreamsConfig.POLL_MS_CONFIG, BatchPolicy.from(c).tick().toMillis());
        String stateDir = c.getOrNull(ConfigKeys.STATE_DIR);
        p.put(
                StreamsConfig.STATE_DIR_CONFIG,
                stateDir != null
                        ? stateDir
                        : Path.of(System.getProperty("java.io.tmpdir"), "streamnlp-state")
                                .toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // Ours under the producer. prefix, which shadows a plain max.request.size: set it only when the user gave
        // neither form, so that a kafka.max.request.size reaches the producer as it reaches the output guard.
        if (!c.kafkaOverrides().containsKey(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)) {
            long maxRecord = settings.maxRecordBytes();
            p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), (int) maxRecord);
        }
        // A producer-prefixed value shadows the plain one in Kafka Streams: set ours only when
        // kafka.transaction.timeout.ms
        // is not given, or that override (applied last, as documented) would be silently ignored.
        int tx = c.getPositiveInt(ConfigKeys.TRANSACTION_TIMEOUT_MS);
        if (!c.kafkaOverrides().containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)) {
            p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), tx);
        }
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 1 << 20);
        // Kafka 5.0's default, set now: the topology has no global store or GlobalKTable, so this changes nothing, but
        // left unset every StreamsConfig built (three at start) logs a WARN recommending it. The partition assignor
        // builds its own from the main consumer's settings, hence the second, main.consumer.-prefixed copy.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(
                StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                "true");
        c.kafkaOverrides().forEach(p::put);
        return p;
    }
}
