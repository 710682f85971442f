package io.streamnlp.batching;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.time.Duration;

/**
 * When a batch is flushed: it holds {@code maxRecords} records, or {@code maxTokens} tokens, or its
 * oldest record has waited {@code maxWait}, or no record has arrived for {@code idle} (adaptive: a
 * backlog fills batches to the limit, a trickle is not held back; {@code idle} zero disables that).
 */
public record BatchPolicy(int maxRecords, int maxTokens, Duration maxWait, Duration idle) {
    public BatchPolicy {
        if (maxRecords <= 0 || maxTokens <= 0 || maxWait.isNegative() || idle.isNegative()) {
            throw new IllegalArgumentException("batch policy needs positive limits: " + maxRecords + ", " + maxTokens
                    + ", " + maxWait + ", " + idle);
        }
    }

    public BatchPolicy(int maxRecords, int maxTokens, Duration maxWait) {
        this(maxRecords, maxTokens, maxWait, Duration.ZERO);
    }

    /**
     * The configured policy. Its bounds (ConfigKeys.DEFINITIONS) were checked when the configuration was built, naming
     * the key (exit code 2), rather than as an IllegalArgumentException mid-start.
     */
    public static BatchPolicy from(EnricherConfig c) {
        return new BatchPolicy(
                c.getInt(ConfigKeys.BATCH_MAX_RECORDS),
                c.getInt(ConfigKeys.BATCH_MAX_TOKENS),
                Duration.ofMillis(c.getLong(ConfigKeys.BATCH_MAX_WAIT_MS)),
                Duration.ofMillis(c.getLong(ConfigKeys.BATCH_IDLE_MS)));
    }

    /** The same policy with another token budget (the start-up check lowers it to what the device does in time). */
    public BatchPolicy withMaxTokens(int tokens) {
        return new BatchPolicy(maxRecords, tokens, maxWait, idle);
    }

    /** How often the wall-clock punctuator looks at the buffer: often enough to honour maxWait closely. */
    public Duration tick() {
        long bound = idle.isZero() ? maxWait.toMillis() : Math.min(maxWait.toMillis(), idle.toMillis());
        long ms = Math.max(1, Math.min(10, bound / 4));
        return Duration.ofMillis(ms);
    }
}
