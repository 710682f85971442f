package io.streamnlp.batching;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.time.Duration;

/**
 * When a batch is flushed: it holds {@code maxRecords} records, or {@code maxTokens} tokens, or its
 * oldest record has waited {@code maxWait}. A stream that goes idle flushes at the next tick instead
 * of waiting out {@code maxWait} (adaptive: a backlog fills batches, a trickle is not held back).
 */
public record BatchPolicy(int maxRecords, int maxTokens, Duration maxWait) {
    public BatchPolicy {
        if (maxRecords <= 0 || maxTokens <= 0 || maxWait.isNegative()) {
            throw new IllegalArgumentException("batch policy needs positive limits: " + maxRecords + ", " + maxTokens + ", " + maxWait);
        }
    }

    public static BatchPolicy from(EnricherConfig c) {
        return new BatchPolicy(c.getPositiveInt(ConfigKeys.BATCH_MAX_RECORDS), c.getPositiveInt(ConfigKeys.BATCH_MAX_TOKENS),
                Duration.ofMillis(c.getLong(ConfigKeys.BATCH_MAX_WAIT_MS)));
    }

    /** How often the wall-clock punctuator looks at the buffer: often enough to honour maxWait closely. */
    public Duration tick() {
        long ms = Math.max(1, Math.min(10, maxWait.toMillis() / 4));
        return Duration.ofMillis(ms);
    }
}
