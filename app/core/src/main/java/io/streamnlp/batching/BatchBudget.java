package io.streamnlp.batching;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much work one batch may hold: a warm-up batch is timed on the engine, and the token budget of
 * {@link BatchPolicy} is lowered so that a batch takes at most a share of the effective transaction timeout (or
 * max.poll.interval.ms), or the start fails with one message naming the keys to change (a {@link ConfigException}:
 * exit code 2) when even one window cannot fit.
 */
public final class BatchBudget {
    private static final Logger log = LoggerFactory.getLogger(BatchBudget.class);

    /**
     * Most tokens a record feeds the model per byte of its value, all windows with their special tokens and
     * overlaps included (what the warm-up batch's ms/token multiplies). A tokenizer gives at most one content
     * token per byte (WordPiece pieces are whole characters, an unknown word one [UNK]; a byte-level BPE starts
     * from one symbol per byte): measured 1.0 for ASCII punctuation (WordPiece) and for control characters and
     * combining marks (byte-level BPE). Windows overlap: a window advances by at least half its content
     * (WindowingTokenizer), so up to ~2 tokens are fed per content token. Measured worst (BatchBudgetTest, real
     * tokenizers): bert-base-cased 1.33, default bundle 1.33, roberta-base 2.24 (512-token windows) and 2.35
     * (128-token windows), with the context windows (each labels its middle with stride tokens of context each side). Prose is ~0.2, so the
     * warm-up prose's own rate would be 10x too low.
     */
    static final double WORST_TOKENS_PER_BYTE = 2.5;

    private static final String PROSE = "The company said on Tuesday that its quarterly profit rose sharply, helped by "
            + "strong demand in Europe and Asia, while the minister in Berlin warned that the election could delay talks "
            + "on trade, energy prices and the new football stadium planned near the river. ";

    private BatchBudget() {}

    /** The limit a batch must stay well within, and the key that sets it. */
    public record Limit(long ms, String key) {}

    /** A measured speed and the worst cases it predicts. */
    public record BatchEstimate(
            double msPerToken,
            double tokensPerByte,
            long maxTokens,
            long largestInputTokens,
            long worstMs,
            long limitMs,
            String limitKeys,
            int effectiveMaxTokens,
            long budgetMs) {}

    /**
     * A batch may take this share of the transaction timeout (or max.poll.interval.ms): so a transaction holds a few
     * batches at most, and a crashed instance's open transaction, aborted only at the timeout, is short.
     */
    static final int BUDGET_DIVISOR = BatchPolicy.BUDGET_DIVISOR;

    /**
     * The configured batch policy, its token budget lowered to what {@link #batchTimeFits} measured to fit the
     * transaction (or failing as it does).
     */
    public static BatchPolicy fittedPolicy(EnricherConfig c, EnrichmentEngine engine, boolean overlap, Limit limit) {
        BatchPolicy policy = BatchPolicy.from(c);
        // the time a batch (and a callback's inference, or wait for a lane) may take: from the effective limit
        policy = policy.withBudget(Duration.ofMillis(Math.max(1, limit.ms() / BUDGET_DIVISOR)));
        BatchEstimate budget = batchTimeFits(c, engine, overlap, limit);
        if (budget != null && budget.effectiveMaxTokens() < policy.maxTokens()) {
            policy = policy.withMaxTokens(budget.effectiveMaxTokens());
        }
        return policy;
    }

    /**
     * Times a warm-up batch and estimates the worst-case batch: {@code batch.max.tokens} tokens, and one
     * record of {@code input.max.bytes} bytes of prose (a batch holds at least one record). Fails (or warns,
     * per {@code startup.batch.check}) when it could take more than half of {@code limit}: the transaction timeout
     * (exactly-once) or max.poll.interval.ms, as Kafka Streams resolves them.
     *
     * @param oneLane time the batch on one lane (with overlap, a batch behind a backlog runs on one)
     */
    public static BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine, boolean oneLane, Limit limit) {
        String mode = c.getChoice(ConfigKeys.STARTUP_BATCH_CHECK, "fail", "warn", "off");
        if (mode.equals("off")) {
            return null;
        }
        BatchEstimate e;
        try {
            e = estimate(c, engine, oneLane, limit);
        } catch (RuntimeException ex) {
            if (EngineFailureException.isEngineLevel(ex)) {
                // a device error or a broken session fails every batch: better now than at the first record
                throw new EngineFailureException("the warm-up batch failed with an engine error: " + ex, ex);
            }
            // a model that throws on some input is handled per record (DLQ INFERENCE_FAILED); the check cannot time it
            log.warn("batch check skipped: the warm-up batch failed: {}", ex.toString());
            return null;
        }
        String msg = String.format(
                "even the smallest batch (one window, %d tokens) could take ~%d ms (measured %.4f ms/token on "
                        + "a warm-up batch), more than half of %s=%d ms. Raise %s, use a faster device or a smaller model "
                        + "(or set %s=warn)",
                e.effectiveMaxTokens(),
                e.worstMs(),
                e.msPerToken(),
                e.limitKeys(),
                e.limitMs(),
                e.limitKeys(),
                ConfigKeys.STARTUP_BATCH_CHECK);
        if (2 * e.worstMs() > e.limitMs()) {
            if (mode.equals("fail")) {
                throw new ConfigException("model too slow for the transaction: " + msg);
            }
            log.warn("model may be too slow: {}", msg);
        } else if (e.effectiveMaxTokens() < e.maxTokens()) {
            log.info(
                    "batch budget: {}={} lowered to {} tokens so that a batch takes at most ~{} ms (1/{} of {}={} ms; measured "
                            + "{} ms/token)",
                    ConfigKeys.BATCH_MAX_TOKENS,
                    e.maxTokens(),
                    e.effectiveMaxTokens(),
                    e.budgetMs(),
                    BUDGET_DIVISOR,
                    e.limitKeys(),
                    e.limitMs(),
                    String.format("%.4f", e.msPerToken()));
        } else {
            log.info(
                    "batch check: a full batch ({} tokens) takes ~{} ms of a {} ms budget ({} ms/token)",
                    e.effectiveMaxTokens(),
                    e.worstMs(),
                    e.budgetMs(),
                    String.format("%.4f", e.msPerToken()));
        }
        log.info(
                "one {}={} record is at most ~{} tokens: inferred in up to ~{} segments of one batch each",
                ConfigKeys.INPUT_MAX_BYTES,
                c.getInt(ConfigKeys.INPUT_MAX_BYTES),
                e.largestInputTokens(),
                (e.largestInputTokens() + e.effectiveMaxTokens() - 1) / Math.max(1, e.effectiveMaxTokens()));
        return e;
    }

    static BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine, boolean oneLane, Limit limit) {
        int maxTokens = c.getPositiveInt(ConfigKeys.BATCH_MAX_TOKENS);
        EncodedDocument one = engine.encode(PROSE);
        int target = Math.min(maxTokens, 2048);
        int repeats = Math.max(1, target / Math.max(1, one.tokenCount()));
        String sample = PROSE.repeat(repeats);
        EncodedDocument doc = engine.encode(sample);
        // the engine's lanes may be running another enrichment's batches (one engine shared): take them first
        Lanes shared = Lanes.of(engine);
        int[] lanes;
        try {
            lanes = oneLane ? shared.acquire(1) : shared.acquireAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineFailureException("interrupted waiting for the engine's lanes", e);
        }
        long best = Long.MAX_VALUE;
        try {
            engine.infer(List.of(doc), lanes); // warm-up: first runs allocate
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                engine.infer(List.of(doc), lanes);
                best = Math.min(best, System.nanoTime() - t0);
            }
        } finally {
            shared.release(lanes);
        }
        double msPerToken = best / 1e6 / doc.tokenCount();
        // the largest record is any text at all (CJK, emoji, random bytes...): the worst case, not the prose's rate. It
        // is cut into segments of one batch budget each (LongDocument), so it sets the number of batches, not their
        // size.
        double tokensPerByte = WORST_TOKENS_PER_BYTE;
        long largestInputTokens = (long) Math.ceil(tokensPerByte * c.getInt(ConfigKeys.INPUT_MAX_BYTES));
        // Work per batch is bounded by time on this device, not only by tokens: a model ten times slower (a
        // BERT-large export on a CPU) gets batches ten times smaller instead of a failure. One window is the floor.
        long budgetMs = limit.ms() / BUDGET_DIVISOR;
        long timed = (long) Math.floor(budgetMs / Math.max(msPerToken, 1e-9));
        int effective = (int) Math.max(doc.maxWindowLength(), Math.min(maxTokens, timed));
        long worstMs = (long) Math.ceil(effective * msPerToken);
        return new BatchEstimate(
                msPerToken,
                tokensPerByte,
                maxTokens,
                largestInputTokens,
                worstMs,
                limit.ms(),
                limit.key(),
                effective,
                budgetMs);
    }
}
