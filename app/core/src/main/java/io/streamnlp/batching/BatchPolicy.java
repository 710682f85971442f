package io.streamnlp.batching;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.time.Duration;

/**
 * When a batch is flushed: it holds {@code maxRecords} records, or {@code maxTokens} tokens, or its
 * oldest record has waited {@code maxWait}, or no record has arrived for {@code idle} (adaptive: a
 * backlog fills batches to the limit, a trickle is not held back; {@code idle} zero disables that).
 *
 * <p>{@code budget} is the time one batch may take: a share (1/4) of the transaction timeout (or of
 * max.poll.interval.ms without exactly-once), which the start-up check sizes {@code maxTokens} to fit on this device.
 * It is also the most a stream thread spends on inference, or waiting for a lane, in one callback (see
 * {@link BatchCoordinator}).
 */
public record BatchPolicy(int maxRecords, int maxTokens, Duration maxWait, Duration idle, Duration budget) {
    /** A quarter of the default transaction.timeout.ms (15 s): the budget when none is derived from a configuration. */
    public static final Duration DEFAULT_BUDGET = Duration.ofMillis(3750);

    /** The share of the transaction timeout (or max.poll.interval.ms) one batch may take. */
    public static final int BUDGET_DIVISOR = 4;

    public BatchPolicy {
        if (maxRecords <= 0
                || maxTokens <= 0
                || maxWait.isNegative()
                || idle.isNegative()
                || budget.isNegative()
                || budget.isZero()) {
            throw new IllegalArgumentException("batch policy needs positive limits: " + maxRecords + ", " + maxTokens
                    + ", " + maxWait + ", " + idle + ", " + budget);
        }
    }

    public BatchPolicy(int maxRecords, int maxTokens, Duration maxWait, Duration idle) {
        this(maxRecords, maxTokens, maxWait, idle, DEFAULT_BUDGET);
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
                Duration.ofMillis(c.getLong(ConfigKeys.BATCH_IDLE_MS)),
                Duration.ofMillis(Math.max(1, c.getLong(ConfigKeys.TRANSACTION_TIMEOUT_MS) / BUDGET_DIVISOR)));
    }

    /** The same policy with another token budget (the start-up check lowers it to what the device does in time). */
    public BatchPolicy withMaxTokens(int tokens) {
        return new BatchPolicy(maxRecords, tokens, maxWait, idle, budget);
    }

    /** The same policy with another time budget per batch (the start-up check derives it from the effective limit). */
    public BatchPolicy withBudget(Duration budget) {
        return new BatchPolicy(maxRecords, maxTokens, maxWait, idle, budget);
    }

    /** How often the wall-clock punctuator looks at the buffer: often enough to honour maxWait closely. */
    public Duration tick() {
        long bound = idle.isZero() ? maxWait.toMillis() : Math.min(maxWait.toMillis(), idle.toMillis());
        long ms = Math.max(1, Math.min(10, bound / 4));
        return Duration.ofMillis(ms);
    }
}
