package io.streamnlp.app;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.Lanes;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.topology.StreamsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link EnricherApp#start} checks before it starts the stream, so a bad set-up fails at once with
 * one message naming the keys to change instead of failing later, mid-stream: the batch policy cannot
 * outlast the transaction (a {@link ConfigException}: exit code 2), and the cluster is reachable (a
 * {@link ClusterUnreachableException}: exit code 1).
 */
public final class StartupChecks {
    private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);

    /** Kafka Streams' default max.poll.interval.ms. */
    static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

    /**
     * Most tokens a record feeds the model per byte of its value, all windows with their special tokens and
     * overlaps included (what the warm-up batch's ms/token multiplies). A tokenizer gives at most one content
     * token per byte (WordPiece pieces are whole characters, an unknown word one [UNK]; a byte-level BPE starts
     * from one symbol per byte): measured 1.0 for ASCII punctuation (WordPiece) and for control characters and
     * combining marks (byte-level BPE). Windows overlap: a window advances by at least half its content
     * (WindowingTokenizer), so up to ~2 tokens are fed per content token. Measured worst (StartupChecksTest, real
     * tokenizers): bert-base-cased 1.33, default bundle 1.33, roberta-base 2.24 (512-token windows) and 2.35
     * (128-token windows), with the context windows (each labels its middle with stride tokens of context each side). Prose is ~0.2: the old estimate, measured on the warm-up prose, was 10x too low.
     */
    static final double WORST_TOKENS_PER_BYTE = 2.5;

    private static final String PROSE = "The company said on Tuesday that its quarterly profit rose sharply, helped by "
            + "strong demand in Europe and Asia, while the minister in Berlin warned that the election could delay talks "
            + "on trade, energy prices and the new football stadium planned near the river. ";

    private StartupChecks() {}

    /**
     * Fails when the cluster does not answer a describeCluster within {@code startup.timeout.ms}, or answers that the
     * input topic does not exist.
     */
    public static void brokerReachable(EnricherConfig c) {
        long timeoutMs = c.getPositiveInt(ConfigKeys.STARTUP_TIMEOUT_MS);
        String bootstrap = c.get(ConfigKeys.BOOTSTRAP_SERVERS);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.putAll(c.kafkaOverrides());
        // its reconnect warnings are dropped (KafkaConnectionNoise): this check ends in one clear error of its own
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, io.streamnlp.logging.KafkaConnectionNoise.startupCheckClientId());
        long start = System.nanoTime();
        String problem;
        try (Admin admin = Admin.create(p)) {
            try {
                String id = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                        .clusterId()
                        .get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
                log.info(
                        "Kafka cluster {} reachable at {} ({} ms)",
                        id,
                        bootstrap,
                        (System.nanoTime() - start) / 1_000_000);
                requireInputTopic(admin, c.get(ConfigKeys.TOPIC_INPUT), timeoutMs);
                return;
            } catch (TimeoutException e) {
                problem = "no answer";
            } catch (ExecutionException e) {
                problem = e.getCause() == null
                        ? e.toString()
                        : e.getCause().getClass().getSimpleName() + ": "
                                + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
            } finally {
                admin.close(Duration.ofMillis(500));
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            problem = e.getMessage();
        }
        throw new ClusterUnreachableException(
                "cannot reach the Kafka cluster at " + ConfigKeys.BOOTSTRAP_SERVERS + "=" + bootstrap + " within "
                        + ConfigKeys.STARTUP_TIMEOUT_MS + "=" + timeoutMs + " ms (" + problem + "); check "
                        + ConfigKeys.BOOTSTRAP_SERVERS
                        + " and the kafka.security.* / kafka.sasl.* settings");
    }

    /**
     * Fails when the cluster says the input topic does not exist. Any other answer (no Describe permission, no answer
     * in time) passes: Kafka Streams then reports the problem in its own words, as it did before this check.
     */
    private static void requireInputTopic(Admin admin, String topic, long timeoutMs) throws InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new InputTopicMissingException("the input topic " + topic + " (" + ConfigKeys.TOPIC_INPUT
                        + ") does not exist on the cluster; create it, or start with run --create-topics");
            }
            log.debug("could not describe the input topic {}: {}", topic, e.getCause(), e);
        } catch (TimeoutException e) {
            log.debug("no answer describing the input topic {} within {} ms", topic, timeoutMs);
        }
    }

    /**
     * Fails when the configuration enables a task ({@code ner.enabled}, {@code topic.enabled}) that the engine serves
     * no model for ({@link EnrichmentEngine#nerModel()} / {@link EnrichmentEngine#topicModel()} null, as the contract
     * says of a task it does not serve): that task's events would silently never be written.
     */
    public static void servesEnabledTasks(EnricherConfig c, EnrichmentEngine engine) {
        List<String> problems = new java.util.ArrayList<>();
        if (c.getBoolean(ConfigKeys.NER_ENABLED) && engine.nerModel() == null) {
            problems.add(ConfigKeys.NER_ENABLED + "=true but the engine serves no NER model (its nerModel() is null)");
        }
        if (c.getBoolean(ConfigKeys.TOPIC_ENABLED) && engine.topicModel() == null) {
            problems.add(
                    ConfigKeys.TOPIC_ENABLED + "=true but the engine serves no topic model (its topicModel() is null)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems)
                    + ": its events would never be written. Disable the task, or use an engine that serves it");
        }
    }

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
     * Times a warm-up batch and estimates the worst-case batch: {@code batch.max.tokens} tokens, and one
     * record of {@code input.max.bytes} bytes of prose (a batch holds at least one record). Fails (or warns,
     * per {@code startup.batch.check}) when it could take more than half of the transaction timeout
     * (exactly-once) or of max.poll.interval.ms.
     */
    public static BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine) {
        return batchTimeFits(c, engine, false);
    }

    /**
     * The configured batch policy, its token budget lowered to what {@link #batchTimeFits} measured to fit the
     * transaction (or failing as it does).
     */
    public static BatchPolicy fittedPolicy(EnricherConfig c, EnrichmentEngine engine, boolean overlap) {
        BatchPolicy policy = BatchPolicy.from(c);
        // the time a batch (and a callback's inference, or wait for a lane) may take: from the effective limit
        policy = policy.withBudget(Duration.ofMillis(Math.max(1, checkedLimit(c).ms() / BUDGET_DIVISOR)));
        BatchEstimate budget = batchTimeFits(c, engine, overlap);
        if (budget != null && budget.effectiveMaxTokens() < policy.maxTokens()) {
            policy = policy.withMaxTokens(budget.effectiveMaxTokens());
        }
        return policy;
    }

    /** @param oneLane time the batch on one lane (with overlap, a batch behind a backlog runs on one) */
    public static BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine, boolean oneLane) {
        String mode = c.getChoice(ConfigKeys.STARTUP_BATCH_CHECK, "fail", "warn", "off");
        if (mode.equals("off")) {
            return null;
        }
        BatchEstimate e;
        checkedLimit(c); // a timeout Kafka Streams itself refuses is a configuration error, not a skipped check
        try {
            e = estimate(c, engine, oneLane);
        } catch (RuntimeException ex) {
            if (io.streamnlp.api.engine.EngineFailureException.isEngineLevel(ex)) {
                // a device error or a broken session fails every batch: better now than at the first record
                throw new io.streamnlp.api.engine.EngineFailureException(
                        "the warm-up batch failed with an engine error: " + ex, ex);
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

    static BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine) {
        return estimate(c, engine, false);
    }

    static BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine, boolean oneLane) {
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
            throw new io.streamnlp.api.engine.EngineFailureException("interrupted waiting for the engine's lanes", e);
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
        // is
        // cut into segments of one batch budget each (EnrichProcessor), so it sets the number of batches, not their
        // size.
        double tokensPerByte = WORST_TOKENS_PER_BYTE;
        long largestInputTokens = (long) Math.ceil(tokensPerByte * c.getInt(ConfigKeys.INPUT_MAX_BYTES));
        Limit limit = limit(c);
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

    /** {@link #limit} with Kafka's own refusals (e.g. a transaction timeout under commit.interval.ms) as ConfigExceptions. */
    static Limit checkedLimit(EnricherConfig c) {
        try {
            return limit(c);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The limit a batch must stay well within, and the key that sets it. */
    record Limit(long ms, String key) {}

    /**
     * The effective limit: the transaction timeout (exactly-once) or max.poll.interval.ms, whichever is smaller,
     * read from the very properties Kafka Streams gets ({@link StreamsSettings}, {@code kafka.*} overrides
     * included) and resolved by Kafka Streams itself (main.consumer. over consumer. over the plain key; producer.
     * over the plain key), so the check and the running stream cannot disagree.
     */
    static Limit limit(EnricherConfig c) {
        Properties props = StreamsSettings.from(c);
        StreamsConfig streams = new StreamsConfig(props, false) {}; // quiet: Kafka Streams logs the config itself
        Map<String, String> kafka = c.kafkaOverrides();
        boolean eos = !StreamsConfig.AT_LEAST_ONCE.equals(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        String pollName = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
        String pollKey = ConfigKeys.KAFKA_PREFIX
                + strongestSet(
                        kafka,
                        pollName,
                        StreamsConfig.consumerPrefix(pollName),
                        StreamsConfig.mainConsumerPrefix(pollName));
        Object pollValue = streams.getMainConsumerConfigs("check", "check", 0).get(pollName);
        long poll = pollValue == null ? DEFAULT_MAX_POLL_INTERVAL_MS : parse(pollKey, pollValue);
        if (!eos) {
            return new Limit(poll, pollKey);
        }
        String txName = ProducerConfig.TRANSACTION_TIMEOUT_CONFIG;
        String txOverride = strongestSet(kafka, txName, StreamsConfig.producerPrefix(txName));
        String txKey = kafka.containsKey(txOverride)
                ? ConfigKeys.KAFKA_PREFIX + txOverride
                : ConfigKeys.TRANSACTION_TIMEOUT_MS;
        long tx = parse(txKey, streams.getProducerConfigs("check").get(txName));
        return tx <= poll ? new Limit(tx, txKey) : new Limit(poll, pollKey);
    }

    /** Of a setting's names, lowest precedence first: the strongest one that is set, else the plain one (the one to set). */
    private static String strongestSet(Map<String, String> kafka, String... byPrecedence) {
        for (int i = byPrecedence.length - 1; i > 0; i--) {
            if (kafka.containsKey(byPrecedence[i])) {
                return byPrecedence[i];
            }
        }
        return byPrecedence[0];
    }

    private static long parse(String key, Object v) {
        try {
            long ms = Long.parseLong(String.valueOf(v).trim());
            if (ms <= 0) {
                throw new ConfigException(key + "=" + v + " must be greater than 0");
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + v + " is not an integer");
        }
    }
}
