package io.streamnlp.config;

/** How input records are read. */
public record InputOptions(Format format, int maxBytes, String textField, String idField, boolean includeText) {
    public enum Format { AUTO, JSON, TEXT }

    public static InputOptions from(EnricherConfig c) {
        Format f = Format.valueOf(c.getChoice(ConfigKeys.INPUT_FORMAT, "auto", "json", "text").toUpperCase(java.util.Locale.ROOT));
        return new InputOptions(f, c.getPositiveInt(ConfigKeys.INPUT_MAX_BYTES), c.get(ConfigKeys.INPUT_TEXT_FIELD),
                c.get(ConfigKeys.INPUT_ID_FIELD), c.getBoolean(ConfigKeys.OUTPUT_INCLUDE_TEXT));
    }

    public static InputOptions defaults() {
        return from(EnricherConfig.defaults());
    }
}
