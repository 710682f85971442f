package io.streamnlp.app;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.topology.Settings;
import io.streamnlp.topology.StreamsSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The largest event the output topics accept: the smaller of the producer's {@code max.request.size} and each
 * enabled output topic's {@code max.message.bytes} (the broker's {@code message.max.bytes} for a topic that does not
 * exist yet, since auto-creation gives it that). When the cluster does not say (no DescribeConfigs ACL, no answer),
 * {@code output.max.record.bytes} is assumed (1 MiB by default, the broker's default). The processor dead-letters a
 * record whose event would not fit ({@code OUTPUT_TOO_LARGE}) instead of failing the producer on it, which would stop
 * every instance that restores it.
 */
final class OutputLimits {
    private static final Logger log = LoggerFactory.getLogger(OutputLimits.class);

    private OutputLimits() {}

    /** {@code settings} with its event limit set to what the cluster's topics accept, or the assumed one. */
    static Settings apply(EnricherConfig c, Settings settings) {
        List<String> outputs = new ArrayList<>();
        if (settings.nerEnabled()) {
            outputs.add(settings.topics().entities());
        }
        if (settings.topicEnabled()) {
            outputs.add(settings.topics().topics());
        }
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.get(ConfigKeys.BOOTSTRAP_SERVERS));
        long timeoutMs = c.getPositiveInt(ConfigKeys.STARTUP_TIMEOUT_MS);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        // the admin client refuses an api timeout below its request timeout (30 s by default)
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.putAll(c.kafkaOverrides());
        long producer = StreamsSettings.producerMaxRequestBytes(c);
        long topics;
        try (Admin admin = Admin.create(p)) {
            topics = topicsLimit(admin, outputs, timeoutMs);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AuthorizationException && !c.isGiven(ConfigKeys.OUTPUT_MAX_RECORD_BYTES)) {
                // Not a silent fallback: an event the topic then refuses would stop the stream on every instance.
                throw new MissingAccessException("the cluster denies reading the output topics' max.message.bytes ("
                        + cause.getMessage() + "): grant DescribeConfigs on the output and DLQ topics " + outputs
                        + " (and on the cluster while one does not exist yet), or set "
                        + ConfigKeys.OUTPUT_MAX_RECORD_BYTES + " to what those topics accept");
            }
            return whenTopicLimitsUnreadable(settings.withMaxEventBytes(Settings.assumedMaxEventBytes(c)), outputs, e);
        }
        long limit = Math.min(topics, producer);
        if (topics < producer) {
            log.info("output events are limited to {} bytes by the output topics' max.message.bytes", limit);
        }
        return settings.withMaxEventBytes(limit);
    }

    /**
     * When the output topics' limits cannot be read: {@code settings} (whose limit is the assumed
     * {@code output.max.record.bytes}) with one WARN line saying so, naming the missing ACL when that is why.
     */
    static Settings whenTopicLimitsUnreadable(Settings settings, List<String> outputs, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String why = cause instanceof AuthorizationException
                ? "this principal lacks the DescribeConfigs ACL on the topics " + outputs
                        + " (and on the cluster for one not created yet)"
                : "the cluster did not say: " + cause;
        log.warn(
                "cannot read the output topics' max.message.bytes ({}); output events are limited to {}={} bytes"
                        + " instead: set it to what the topics accept, or grant DescribeConfigs",
                why,
                ConfigKeys.OUTPUT_MAX_RECORD_BYTES,
                settings.maxEventBytes());
        return settings;
    }

    private static long topicsLimit(Admin admin, Collection<String> topics, long timeoutMs) throws Exception {
        var existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        long limit = Long.MAX_VALUE;
        List<ConfigResource> resources = new ArrayList<>();
        boolean missing = false;
        for (String t : topics) {
            if (existing.contains(t)) {
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            } else {
                missing = true;
            }
        }
        if (missing) {
            var nodes = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (!nodes.isEmpty()) {
                resources.add(new ConfigResource(
                        ConfigResource.Type.BROKER,
                        Integer.toString(nodes.iterator().next().id())));
            }
        }
        if (resources.isEmpty()) {
            return limit;
        }
        Map<ConfigResource, Config> configs =
                admin.describeConfigs(resources).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
            String key = e.getKey().type() == ConfigResource.Type.TOPIC ? "max.message.bytes" : "message.max.bytes";
            var entry = e.getValue().get(key);
            if (entry != null && entry.value() != null) {
                limit = Math.min(limit, Long.parseLong(entry.value()));
            }
        }
        return limit;
    }
}
