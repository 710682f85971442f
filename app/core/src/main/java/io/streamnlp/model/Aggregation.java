package io.streamnlp.model;

import java.util.Locale;

/** How the sub-tokens of a word decide the word's label. */
public enum Aggregation {
    /** The word's first sub-token decides (Hugging Face and Spark NLP default). */
    FIRST,
    /** Average the sub-tokens' probability vectors, then argmax. */
    AVERAGE,
    /** The sub-token with the highest top probability decides. */
    MAX;

    /** Parses first/average/max (any case); null or blank gives null (use the bundle's default). */
    public static Aggregation parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown aggregation '" + value + "' (expected first, average or max)");
        }
    }
}
