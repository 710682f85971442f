package io.streamnlp.config;

import java.util.Locale;

/** How input records are read. */
public record InputOptions(Format format, int maxBytes, String textField, String idField, boolean includeText) {
    public enum Format {
        AUTO,
        JSON,
        TEXT
    }

    /**
     * Largest {@code input.max.bytes}: 64 MiB. Far below the hard limits (an event carries the text, so
     * 2 x input.max.bytes + 1 MiB must fit Kafka's int max.request.size / message.max.bytes and a Java byte[];
     * the decoded text, its token ids and windows live in Java arrays), and already hours of inference per
     * record at ~2 tokens a byte (StartupChecks): the batch check refuses far smaller values with default timeouts.
     */
    public static final int MAX_INPUT_BYTES = 64 << 20;

    public static InputOptions from(EnricherConfig c) {
        Format f = Format.valueOf(
                c.getChoice(ConfigKeys.INPUT_FORMAT, "auto", "json", "text").toUpperCase(Locale.ROOT));
        return new InputOptions(
                f,
                c.getInt(ConfigKeys.INPUT_MAX_BYTES),
                c.get(ConfigKeys.INPUT_TEXT_FIELD),
                c.get(ConfigKeys.INPUT_ID_FIELD),
                c.getBoolean(ConfigKeys.OUTPUT_INCLUDE_TEXT));
    }

    public static InputOptions defaults() {
        return from(EnricherConfig.defaults());
    }
}
