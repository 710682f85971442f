package io.streamnlp.app;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.inference.EncodedDocument;
import io.streamnlp.inference.EnrichmentEngine;
import java.nio.charset.StandardCharsets;
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

    private static final String PROSE = "The company said on Tuesday that its quarterly profit rose sharply, helped by "
            + "strong demand in Europe and Asia, while the minister in Berlin warned that the election could delay talks "
            + "on trade, energy prices and the new football stadium planned near the river. ";

    private StartupChecks() {}

    /** Fails when the cluster does not answer a describeCluster within {@code startup.timeout.ms}. */
    public static void brokerReachable(EnricherConfig c) {
        long timeoutMs = c.getPositiveInt(ConfigKeys.STARTUP_TIMEOUT_MS);
        String bootstrap = c.get(ConfigKeys.BOOTSTRAP_SERVERS);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.putAll(c.kafkaOverrides());
        long start = System.nanoTime();
        String problem;
        try (Admin admin = Admin.create(p)) {
            try {
                String id = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                        .clusterId().get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
                log.info("Kafka cluster {} reachable at {} ({} ms)", id, bootstrap, (System.nanoTime() - start) / 1_000_000);
                return;
            } catch (TimeoutException e) {
                problem = "no answer";
            } catch (ExecutionException e) {
                problem = e.getCause() == null ? e.toString() : e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
            } finally {
                admin.close(Duration.ofMillis(500));
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            problem = e.getMessage();
        }
        throw new ClusterUnreachableException("cannot reach the Kafka cluster at " + ConfigKeys.BOOTSTRAP_SERVERS + "=" + bootstrap + " within "
                + ConfigKeys.STARTUP_TIMEOUT_MS + "=" + timeoutMs + " ms (" + problem + "); check " + ConfigKeys.BOOTSTRAP_SERVERS
                + " and the kafka.security.* / kafka.sasl.* settings");
    }

    /** A measured speed and the worst cases it predicts. */
    public record BatchEstimate(double msPerToken, double tokensPerByte, long maxTokens, long largestInputTokens,
                                long worstMs, long limitMs, String limitKeys) {}

    /**
     * Times a warm-up batch and estimates the worst-case batch: {@code batch.max.tokens} tokens, and one
     * record of {@code input.max.bytes} bytes of prose (a batch holds at least one record). Fails (or warns,
     * per {@code startup.batch.check}) when it could take more than half of the transaction timeout
     * (exactly-once) or of max.poll.interval.ms.
     */
    public static BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine) {
        return batchTimeFits(c, engine, false);
    }

    /** @param oneLane time the batch on one lane (with overlap, a batch behind a backlog runs on one) */
    public static BatchEstimate batchTimeFits(EnricherConfig c, EnrichmentEngine engine, boolean oneLane) {
        String mode = c.getChoice(ConfigKeys.STARTUP_BATCH_CHECK, "fail", "warn", "off");
        if (mode.equals("off")) {
            return null;
        }
        BatchEstimate e;
        try {
            e = estimate(c, engine, oneLane);
        } catch (RuntimeException ex) {
            // a model that throws on some input is handled per record (DLQ INFERENCE_FAILED); the check cannot time it
            log.warn("batch check skipped: the warm-up batch failed: {}", ex.toString());
            return null;
        }
        String msg = String.format("a worst-case batch could take ~%d ms (measured %.4f ms/token on a warm-up batch; %s=%d tokens, "
                        + "one %s=%d record ~%d tokens), more than half of %s=%d ms. Lower %s and/or %s, or raise %s "
                        + "(or set %s=warn)", e.worstMs(), e.msPerToken(), ConfigKeys.BATCH_MAX_TOKENS, e.maxTokens(),
                ConfigKeys.INPUT_MAX_BYTES, c.getInt(ConfigKeys.INPUT_MAX_BYTES), e.largestInputTokens(), e.limitKeys(), e.limitMs(),
                ConfigKeys.BATCH_MAX_TOKENS, ConfigKeys.INPUT_MAX_BYTES, e.limitKeys(), ConfigKeys.STARTUP_BATCH_CHECK);
        if (2 * e.worstMs() > e.limitMs()) {
            if (mode.equals("fail")) {
                throw new ConfigException("batch policy too slow for the transaction: " + msg);
            }
            log.warn("batch policy may be too slow: {}", msg);
        } else {
            log.info("batch check: worst-case batch ~{} ms of a {} ms limit ({} ms/token)", e.worstMs(), e.limitMs(),
                    String.format("%.4f", e.msPerToken()));
        }
        return e;
    }

    static BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine) {
        return estimate(c, engine, false);
    }

    static BatchEstimate estimate(EnricherConfig c, EnrichmentEngine engine, boolean oneLane) {
        int[] lanes = new int[oneLane ? 1 : engine.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = i;
        }
        int maxTokens = c.getPositiveInt(ConfigKeys.BATCH_MAX_TOKENS);
        EncodedDocument one = engine.encode(PROSE);
        int target = Math.min(maxTokens, 2048);
        int repeats = Math.max(1, target / Math.max(1, one.tokenCount()));
        String sample = PROSE.repeat(repeats);
        EncodedDocument doc = engine.encode(sample);
        engine.infer(List.of(doc), lanes); // warm-up: first runs allocate
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            engine.infer(List.of(doc), lanes);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double msPerToken = best / 1e6 / doc.tokenCount();
        double tokensPerByte = (double) doc.tokenCount() / sample.getBytes(StandardCharsets.UTF_8).length;
        long largestInputTokens = (long) Math.ceil(tokensPerByte * c.getInt(ConfigKeys.INPUT_MAX_BYTES));
        long worstTokens = Math.max(maxTokens, largestInputTokens);
        long worstMs = (long) Math.ceil(worstTokens * msPerToken);
        Map<String, String> kafka = c.kafkaOverrides();
        long poll = parse(kafka.getOrDefault("consumer.max.poll.interval.ms",
                kafka.getOrDefault("max.poll.interval.ms", Long.toString(DEFAULT_MAX_POLL_INTERVAL_MS))));
        boolean eos = !StreamsConfig.AT_LEAST_ONCE.equalsIgnoreCase(c.get(ConfigKeys.PROCESSING_GUARANTEE).trim());
        long tx = c.getPositiveInt(ConfigKeys.TRANSACTION_TIMEOUT_MS);
        long limit;
        String keys;
        if (eos && tx <= poll) {
            limit = tx;
            keys = ConfigKeys.TRANSACTION_TIMEOUT_MS;
        } else {
            limit = poll;
            keys = "kafka.max.poll.interval.ms";
        }
        return new BatchEstimate(msPerToken, tokensPerByte, maxTokens, largestInputTokens, worstMs, limit, keys);
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("kafka.max.poll.interval.ms=" + v + " is not an integer");
        }
    }
}
