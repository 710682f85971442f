package io.streamnlp.app;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.logging.KafkaConnectionNoise;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link EnricherApp#start} checks of the cluster before it starts the stream, so a bad set-up fails at once with
 * one message instead of later, mid-stream: the cluster is reachable (else a {@link ClusterUnreachableException}: exit
 * code 1) and the input topic exists (else an {@link InputTopicMissingException}). The batch budget is checked by
 * {@link io.streamnlp.runtime.EnrichmentRuntime}, for the embedded API too.
 */
public final class StartupChecks {
    private static final Logger log = LoggerFactory.getLogger(StartupChecks.class);

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
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, KafkaConnectionNoise.startupCheckClientId());
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
        } catch (KafkaException e) {
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
}
