package io.streamnlp.topology;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.InputOptions;
import io.streamnlp.config.Topics;

/**
 * What the topology needs to know: topic names, input handling, which enrichers are on, and the largest event
 * (key and value) the output topics accept.
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
