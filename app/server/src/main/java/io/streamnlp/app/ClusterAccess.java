package io.streamnlp.app;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.topology.NodeNames;
import io.streamnlp.topology.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this client's principal has the rights the processor needs on a cluster with an authorizer, asked before the
 * stream starts: otherwise a missing ACL surfaces as a stream thread's stack trace at the first rebalance or commit, or
 * (DescribeConfigs) not at all. What it checks is what the README's ACL list grants:
 *
 * <ul>
 *   <li>Read on the input topic; Write and DescribeConfigs (the event size guard reads {@code max.message.bytes}) on
 *       each enabled output topic and the DLQ;
 *   <li>the internal (changelog) topics, all named with the {@code application.id} prefix: Create while they do not
 *       exist (a validate-only create), Read, Write and DescribeConfigs once they do;
 *   <li>Read on the consumer group {@code application.id};
 *   <li>under exactly-once, the transactional ids with the {@code application.id} prefix (Describe, which Write
 *       implies, is what the cluster lets a client ask about without writing).
 * </ul>
 *
 * A broker with no authorizer answers with every operation allowed, so this passes there at the cost of a few
 * requests. Each missing right is named, all at once, in one {@link MissingAccessException}.
 */
final class ClusterAccess {
    private static final Logger log = LoggerFactory.getLogger(ClusterAccess.class);

    private ClusterAccess() {}

    /** The rights this processor lacks, each as "Operation on resource", in the order of the README's list. */
    static void check(EnricherConfig c, Settings settings) {
        long timeoutMs = c.getPositiveInt(ConfigKeys.STARTUP_TIMEOUT_MS);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.get(ConfigKeys.BOOTSTRAP_SERVERS));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        // the admin client refuses an api timeout below its request timeout (30 s by default)
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        p.putAll(c.kafkaOverrides());
        String appId = c.get(ConfigKeys.APPLICATION_ID);
        boolean eos = !StreamsConfig.AT_LEAST_ONCE.equals(c.get(ConfigKeys.PROCESSING_GUARANTEE));
        List<String> missing;
        try (Admin admin = Admin.create(p)) {
            missing = missing(admin, settings, appId, eos, timeoutMs, !c.isGiven(ConfigKeys.OUTPUT_MAX_RECORD_BYTES));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (TimeoutException | ExecutionException | RuntimeException e) {
            // reachability was checked just before: a cluster that stops answering now fails the stream in its words
            log.info(
                    "could not check the cluster's ACLs ({}); Kafka Streams reports a missing right itself",
                    e.toString());
            return;
        }
        if (!missing.isEmpty()) {
            throw new MissingAccessException(message(missing, principal(c)));
        }
    }

    static String message(List<String> missing, String principal) {
        return "the cluster denies " + principal + " what the processor needs: " + String.join("; ", missing)
                + ". Grant these ACLs (kafka-acls.sh --add --allow-principal " + principal.replace("the principal ", "")
                + " ...; the README lists each command) or use a principal that has them";
    }

    /** "User:NAME" from a PLAIN or SCRAM JAAS configuration (never its password), else a description. */
    static String principal(EnricherConfig c) {
        String jaas = c.kafkaOverrides()
                .getOrDefault(SaslConfigs.SASL_JAAS_CONFIG, "")
                .toString();
        Matcher m = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"").matcher(jaas);
        return m.find() ? "User:" + m.group(1) : "the principal of this client";
    }

    /**
     * @param describeOutputs whether the outputs' DescribeConfigs is needed: the size guard reads their
     *     max.message.bytes unless output.max.record.bytes says what they accept
     */
    static List<String> missing(
            Admin admin, Settings settings, String appId, boolean eos, long timeoutMs, boolean describeOutputs)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> internal = List.of(
                appId + "-" + NodeNames.BUFFER_STORE + "-changelog",
                appId + "-" + NodeNames.PARTIALS_STORE + "-changelog");
        Map<String, List<AclOperation>> needed = needed(settings, internal, describeOutputs);
        List<String> missing = new ArrayList<>();
        List<String> toCreate = topicRights(admin, needed, internal, appId, timeoutMs, missing);
        if (!toCreate.isEmpty()) {
            createRights(admin, toCreate, appId, timeoutMs, missing);
        }
        groupRight(admin, appId, timeoutMs, missing);
        if (eos) {
            transactionRight(admin, appId, timeoutMs, missing);
        }
        return missing;
    }

    /** Per topic, the operations the processor needs on it. */
    private static Map<String, List<AclOperation>> needed(
            Settings settings, List<String> internal, boolean describeOutputs) {
        Map<String, List<AclOperation>> needed = new LinkedHashMap<>();
        needed.put(settings.topics().input(), List.of(AclOperation.READ));
        List<AclOperation> output = describeOutputs
                ? List.of(AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS)
                : List.of(AclOperation.WRITE);
        if (settings.nerEnabled()) {
            needed.put(settings.topics().entities(), output);
        }
        if (settings.topicEnabled()) {
            needed.put(settings.topics().topics(), output);
        }
        needed.put(settings.topics().dlq(), output);
        for (String t : internal) {
            needed.put(t, List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE_CONFIGS));
        }
        return needed;
    }

    /** Adds the rights missing on existing topics to {@code missing}; returns the internal topics not there yet. */
    private static List<String> topicRights(
            Admin admin,
            Map<String, List<AclOperation>> needed,
            List<String> internal,
            String appId,
            long timeoutMs,
            List<String> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<String> toCreate = new ArrayList<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                        needed.keySet(), new DescribeTopicsOptions().includeAuthorizedOperations(true))
                .topicNameValues();
        for (var e : needed.entrySet()) {
            String topic = e.getKey();
            boolean isInternal = internal.contains(topic);
            try {
                TopicDescription d = described.get(topic).get(timeoutMs, TimeUnit.MILLISECONDS);
                Set<AclOperation> allowed = d.authorizedOperations();
                if (allowed == null) {
                    continue; // the cluster did not say
                }
                for (AclOperation op : e.getValue()) {
                    if (!allowed.contains(op)) {
                        missing.add(right(op, topic, isInternal, appId));
                    }
                }
            } catch (ExecutionException ex) {
                if (isInternal
                        && (ex.getCause() instanceof UnknownTopicOrPartitionException
                                || ex.getCause() instanceof TopicAuthorizationException)) {
                    toCreate.add(topic); // not there yet (or not visible): Kafka Streams will create it
                } else if (ex.getCause() instanceof TopicAuthorizationException) {
                    missing.add(right(e.getValue().get(0), topic, false, appId));
                } else if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw ex;
                } // a missing input topic was reported before; a missing output is Kafka Streams' to report
            }
        }
        return toCreate;
    }

    /** Create on the internal topics not there yet, asked with a validate-only create. */
    private static void createRights(
            Admin admin, List<String> toCreate, String appId, long timeoutMs, List<String> missing)
            throws InterruptedException, TimeoutException {
        List<NewTopic> topics = toCreate.stream()
                .map(t -> new NewTopic(t, Optional.empty(), Optional.empty()))
                .toList();
        var created = admin.createTopics(topics, new CreateTopicsOptions().validateOnly(true))
                .values();
        for (String t : toCreate) {
            try {
                created.get(t).get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof TopicAuthorizationException) {
                    missing.add(right(AclOperation.CREATE, t, true, appId));
                } else if (ex.getCause() instanceof TopicExistsException) {
                    missing.add(right(AclOperation.DESCRIBE, t, true, appId)); // there, but hidden from us
                } else {
                    log.debug("validate-only create of {}: {}", t, ex.getCause().toString());
                }
            }
        }
    }

    /** Read on the consumer group. */
    private static void groupRight(Admin admin, String appId, long timeoutMs, List<String> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            var group = admin.describeConsumerGroups(
                            List.of(appId), new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .all()
                    .get(timeoutMs, TimeUnit.MILLISECONDS)
                    .get(appId);
            Set<AclOperation> allowed = group == null ? null : group.authorizedOperations();
            if (allowed != null && !allowed.contains(AclOperation.READ)) {
                missing.add("Read on group " + appId);
            }
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof GroupAuthorizationException) {
                missing.add("Read on group " + appId);
            } else if (!(ex.getCause() instanceof GroupIdNotFoundException)) {
                throw ex;
            }
        }
    }

    /** Under exactly-once, the transactional ids (Describe, asked about a probe id). */
    private static void transactionRight(Admin admin, String appId, long timeoutMs, List<String> missing)
            throws InterruptedException, ExecutionException, TimeoutException {
        String probe = appId + "-startup-check";
        try {
            admin.describeTransactions(List.of(probe)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof TransactionalIdAuthorizationException) {
                missing.add("Write on transactional ids prefixed " + appId + "- (exactly-once)");
            } else if (!(ex.getCause() instanceof TransactionalIdNotFoundException)) {
                throw ex;
            }
        }
    }

    private static String right(AclOperation op, String topic, boolean internal, String appId) {
        String name = switch (op) {
            case READ -> "Read";
            case WRITE -> "Write";
            case DESCRIBE -> "Describe";
            case DESCRIBE_CONFIGS -> "DescribeConfigs";
            case CREATE -> "Create";
            default -> op.toString();
        };
        return internal
                ? name + " on topic " + topic + " (internal topics: All on topics prefixed " + appId + "-)"
                : name + " on topic " + topic;
    }
}
