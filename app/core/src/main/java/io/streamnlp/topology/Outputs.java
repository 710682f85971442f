package io.streamnlp.topology;

import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.EventWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What a task writes: a record's events (one per enabled task, NER and topic) or its dead letter, forwarded to the
 * output nodes. Nothing written here may fail the producer, since a record that did would stop every instance that
 * restores it: an event too large for its topic becomes an {@code OUTPUT_TOO_LARGE} dead letter, and a dead letter
 * too large for the dead-letter topic is written without its value (and, if still too large, without its original
 * headers and key), with headers saying what was left out ({@link #VALUE_OMITTED}, {@link #HEADERS_OMITTED},
 * {@link #KEY_OMITTED}); the source topic, partition and offset always say where the original is.
 */
final class Outputs {
    /** Set on a dead letter written without its value: the value's size in bytes. */
    static final String VALUE_OMITTED = "streamnlp.value.omitted.bytes";
    /** Set on a dead letter written without the original record's headers: how many there were. */
    static final String HEADERS_OMITTED = "streamnlp.headers.omitted";
    /** Set on a dead letter written without its key: the key's size in bytes. */
    static final String KEY_OMITTED = "streamnlp.key.omitted.bytes";

    /** Bytes a header needs beyond its key and value (varints), rounded up. */
    private static final int HEADER_OVERHEAD_BYTES = 10;

    private final Settings settings;
    private final EventWriter writer;
    private final RecordMetrics metrics;
    private final NodeNames names;
    private final ProcessorContext<byte[], byte[]> context;

    Outputs(
            Settings settings,
            EventWriter writer,
            RecordMetrics metrics,
            NodeNames names,
            ProcessorContext<byte[], byte[]> context) {
        this.settings = settings;
        this.writer = writer;
        this.metrics = metrics;
        this.names = names;
        this.context = context;
    }

    /**
     * Forwards a record's events, or its {@code OUTPUT_TOO_LARGE} dead letter when either event would not fit its
     * topic: both are checked before either is sent, so a record gets all of its events or a dead letter, never half.
     */
    void emit(StoredRecord s, ParsedInput.Accepted in, Enrichment e, String nerModel, String topicModel) {
        long latencyMs = Math.max(0, System.currentTimeMillis() - s.enqueuedAtMs());
        byte[] key = outputKey(s, in);
        byte[] entities = e.entities() != null
                ? writer.entities(in.id(), in.text(), in.extras(), e.entities(), nerModel, latencyMs)
                : null;
        byte[] topic = e.topic() != null
                ? writer.topic(in.id(), in.text(), in.extras(), e.topic(), topicModel, latencyMs)
                : null;
        long limit = settings.maxEventBytes() - key.length - Settings.RECORD_OVERHEAD_BYTES;
        long biggest = Math.max(entities == null ? 0 : entities.length, topic == null ? 0 : topic.length);
        if (biggest > limit) {
            deadLetter(
                    s,
                    RejectReason.OUTPUT_TOO_LARGE,
                    RejectReason.OUTPUT_TOO_LARGE.description() + ": " + biggest + " bytes, at most "
                            + Math.max(0, limit));
            return;
        }
        if (entities != null) {
            context.forward(new Record<>(key, entities, s.timestamp()), names.entities());
            metrics.emitted(settings.topics().entities());
        }
        if (topic != null) {
            context.forward(new Record<>(key, topic, s.timestamp()), names.topics());
            metrics.emitted(settings.topics().topics());
        }
    }

    /** Forwards the record unchanged to the dead-letter topic, with our headers: what was wrong and where it was. */
    void deadLetter(StoredRecord s, RejectReason reason, String message) {
        Headers h = DeadLetters.headers(s.kafkaHeaders(), reason, message, s.topic(), s.partition(), s.offset());
        byte[] key = s.key();
        byte[] value = s.value();
        long limit = settings.maxEventBytes() - Settings.RECORD_OVERHEAD_BYTES;
        if (size(key, value, h) > limit && value != null) {
            h.add(VALUE_OMITTED, Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
            value = null;
        }
        if (size(key, value, h) > limit) {
            // the original headers alone are too many: keep ours (what went wrong and where the record is)
            Headers ours = DeadLetters.headers(null, reason, message, s.topic(), s.partition(), s.offset());
            ours.add(HEADERS_OMITTED, Integer.toString(s.headers().size()).getBytes(StandardCharsets.UTF_8));
            if (s.value() != null) {
                ours.add(VALUE_OMITTED, Integer.toString(s.value().length).getBytes(StandardCharsets.UTF_8));
            }
            h = ours;
        }
        if (size(key, value, h) > limit && key != null) {
            h.add(KEY_OMITTED, Integer.toString(key.length).getBytes(StandardCharsets.UTF_8));
            key = null;
        }
        context.forward(new Record<>(key, value, s.timestamp(), h), names.deadLetters());
        metrics.deadLettered(reason);
    }

    /** The key of a record's events: its own key, or its id when it has none. */
    static byte[] outputKey(StoredRecord s, ParsedInput.Accepted in) {
        return s.key() != null ? s.key() : in.id().getBytes(StandardCharsets.UTF_8);
    }

    /** A dead letter's size on the wire but for the record overhead: key, value and every header. */
    static long size(byte[] key, byte[] value, Headers headers) {
        long n = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header x : headers) {
            n += x.key().getBytes(StandardCharsets.UTF_8).length
                    + (x.value() == null ? 0 : x.value().length)
                    + HEADER_OVERHEAD_BYTES;
        }
        return n;
    }
}
