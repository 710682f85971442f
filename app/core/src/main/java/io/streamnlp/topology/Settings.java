package io.streamnlp.topology;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.InputOptions;
import io.streamnlp.config.Topics;

/**
 * What the topology needs to know: topic names, input handling, which tasks (NER, topic) are on, and the record sizes: the
 * largest event (key and value) the output topics accept, and the largest record the topology writes at all.
 */
public record Settings(
        Topics topics,
        InputOptions input,
        boolean nerEnabled,
        boolean topicEnabled,
        int inputMaxBytes,
        long maxEventBytes) {
    /** Bytes a record needs beyond its key and value (record and batch headers, varints), rounded well up. */
    public static final int RECORD_OVERHEAD_BYTES = 512;

    /** Largest record the topology writes (an event carries the text): topic and producer limits must allow it. */
    public long maxRecordBytes() {
        return maxRecordBytes(inputMaxBytes);
    }

    /** As {@link #maxRecordBytes()}, from {@code input.max.bytes}. */
    static long maxRecordBytes(long inputMaxBytes) {
        return Math.max(16L << 20, 2L * inputMaxBytes + (1 << 20));
    }

    public static Settings from(EnricherConfig c) {
        InputOptions in = InputOptions.from(c);
        Settings s = new Settings(
                Topics.from(c),
                in,
                c.getBoolean(ConfigKeys.NER_ENABLED),
                c.getBoolean(ConfigKeys.TOPIC_ENABLED),
                in.maxBytes(),
                0);
        return s.withMaxEventBytes(assumedMaxEventBytes(c));
    }

    /**
     * The event limit when the output topics' own limits cannot be read (the embedded API never reads them; run
     * when DescribeConfigs is denied): {@code output.max.record.bytes}, and never more than the producer takes.
     */
    public static long assumedMaxEventBytes(EnricherConfig c) {
        return Math.min(c.getInt(ConfigKeys.OUTPUT_MAX_RECORD_BYTES), StreamsSettings.producerMaxRequestBytes(c));
    }

    /** The same settings with another event size limit (e.g. from the output topics' {@code max.message.bytes}). */
    public Settings withMaxEventBytes(long bytes) {
        return new Settings(topics, input, nerEnabled, topicEnabled, inputMaxBytes, bytes);
    }
}
