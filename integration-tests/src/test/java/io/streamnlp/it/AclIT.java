package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.app.TopicAdmin;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.Topics;
import io.streamnlp.local.EventCollector;
import io.streamnlp.testing.ChildJvm;
import io.streamnlp.testing.InProcessCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least privilege, proved on a secured broker: a KRaft broker in this JVM with a SASL/PLAIN listener and KRaft's
 * {@code StandardAuthorizer} (no ACL, no access; the admin a super user). The ACLs granted are the README's
 * {@code kafka-acls.sh} lines, parsed from the README itself: with exactly those, the processor enriches (records in,
 * events out read_committed); without any one right of them, it stops at start-up with one line naming that right.
 */
@ExtendWith(ChildJvm.KillAfterEach.class)
class AclIT {
    /** The processor's principal: a user the test kit's PLAIN login module knows. */
    static final String USER = JaasUtils.KAFKA_PLAIN_USER1;

    static final Topics TOPICS = new Topics("text.input", "text.entities", "text.topics", "text.dlq");

    static KafkaClusterTestKit cluster;
    static Admin admin;
    /** A fresh folder under target/ (not the OS temp folder, of which Kafka Streams warns), deleted after. */
    static Path stateRoot;

    @TempDir
    static Path tmp;

    static Map<String, String> sasl(String user, String password) {
        return Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                                + "\" password=\"" + password + "\";");
    }

    static Map<String, String> adminClient() {
        return sasl(JaasUtils.KAFKA_PLAIN_ADMIN, JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD);
    }

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        stateRoot = Files.createTempDirectory(
                Files.createDirectories(Path.of("target", "it-state")).toAbsolutePath(), "acl-");
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(Files.createTempDirectory("streamnlp-acl-kafka"))
                .setBrokerListenerName(new ListenerName("EXTERNAL"))
                .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                .build();
        // SASL_PLAINTEXT makes the test kit enable PLAIN (users plain-admin and plain-user1), StandardAuthorizer,
        // allow.everyone.if.no.acl.found=false and super.users=User:plain-admin
        KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
        Map<String, String> single = Map.of(
                "offsets.topic.replication.factor", "1",
                "offsets.topic.num.partitions", "2",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "transaction.state.log.num.partitions", "2",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false");
        single.forEach(b::setConfigProp);
        // the controller listener (in this JVM only) stays PLAINTEXT, whose principal is ANONYMOUS: the broker's own
        // registration needs it to be a super user; clients reach only the SASL listener
        b.setConfigProp("super.users", "User:" + JaasUtils.KAFKA_PLAIN_ADMIN + ";User:ANONYMOUS");
        cluster = b.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = Admin.create(withBootstrap(adminClient()));
        TopicAdmin.ensureTopics(cluster.bootstrapServers(), adminClient(), TOPICS, 2, 2, 16 << 20);
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (stateRoot != null) {
            try (var files = Files.walk(stateRoot)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    static Map<String, Object> withBootstrap(Map<String, String> client) {
        Map<String, Object> m = new LinkedHashMap<>(client);
        m.put("bootstrap.servers", cluster.bootstrapServers());
        return m;
    }

    /** One right of one README line: an operation on that line's resources. */
    record Right(int line, AclOperation op, List<AclBinding> bindings, String named) {}

    /** The README's ACL lines, for principal {@code User:USER} and {@code application.id} {@code app}. */
    static List<Right> readmeRights(String app) throws Exception {
        Path readme = Path.of(System.getProperty("user.dir"))
                .toAbsolutePath()
                .getParent()
                .resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int at = text.indexOf("<!-- acls:");
        assertTrue(at >= 0, "the README has its ACL list");
        String block =
                text.substring(text.indexOf("```bash", at), text.indexOf("```\n", text.indexOf("```bash", at) + 7));
        List<Right> rights = new ArrayList<>();
        int line = 0;
        for (String l :
                block.lines().filter(x -> x.startsWith("kafka-acls.sh ")).toList()) {
            String[] w = l.replace("$APP", app).replace("$P", "User:" + USER).split("\\s+");
            String principal = null;
            PatternType pattern = PatternType.LITERAL;
            List<AclOperation> ops = new ArrayList<>();
            List<ResourcePattern> resources = new ArrayList<>();
            List<String[]> named = new ArrayList<>();
            for (int i = 1; i < w.length; i++) {
                switch (w[i]) {
                    case "--allow-principal" -> principal = w[++i];
                    case "--operation" -> ops.add(operation(w[++i]));
                    case "--resource-pattern-type" -> pattern = PatternType.valueOf(w[++i].toUpperCase(Locale.ROOT));
                    case "--topic" -> named.add(new String[] {"topic", w[++i]});
                    case "--group" -> named.add(new String[] {"group", w[++i]});
                    case "--transactional-id" -> named.add(new String[] {"transactional-id", w[++i]});
                    default -> {}
                }
            }
            assertEquals("User:" + USER, principal, l);
            String who = principal;
            for (String[] n : named) {
                ResourceType type = switch (n[0]) {
                    case "topic" -> ResourceType.TOPIC;
                    case "group" -> ResourceType.GROUP;
                    default -> ResourceType.TRANSACTIONAL_ID;
                };
                resources.add(new ResourcePattern(type, n[1], pattern));
            }
            for (AclOperation op : ops) {
                List<AclBinding> bindings = resources.stream()
                        .map(r -> new AclBinding(r, new AccessControlEntry(who, "*", op, AclPermissionType.ALLOW)))
                        .toList();
                rights.add(new Right(line, op, bindings, expectedName(op, resources.get(0), app)));
            }
            line++;
        }
        assertEquals(5, line, "five kafka-acls.sh lines:\n" + block);
        return rights;
    }

    /** What the start-up error says for a missing right. */
    static String expectedName(AclOperation op, ResourcePattern r, String app) {
        return switch (r.resourceType()) {
            case TOPIC ->
                r.patternType() == PatternType.PREFIXED
                        ? "Create on topic " + app + "-batch-buffer-changelog"
                        : camel(op) + " on topic " + r.name();
            case GROUP -> camel(op) + " on group " + r.name();
            default -> camel(op) + " on transactional ids prefixed " + r.name();
        };
    }

    static AclOperation operation(String camel) {
        return AclOperation.valueOf(camel.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
    }

    static String camel(AclOperation op) {
        StringBuilder b = new StringBuilder();
        for (String p : op.name().split("_")) {
            b.append(p.charAt(0)).append(p.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    /** Replaces every ACL with {@code bindings} and waits until the broker's authorizer has them all. */
    static void grantOnly(List<AclBinding> bindings) throws Exception {
        admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get(30, TimeUnit.SECONDS);
        if (!bindings.isEmpty()) {
            admin.createAcls(bindings).all().get(30, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (admin.describeAcls(AclBindingFilter.ANY)
                        .values()
                        .get(30, TimeUnit.SECONDS)
                        .size()
                != bindings.size()) {
            assertTrue(System.nanoTime() < deadline, "the ACLs reached the broker");
            Thread.sleep(50);
        }
    }

    static Path config(String app) throws Exception {
        Properties p = new Properties();
        p.put(ConfigKeys.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        p.put(ConfigKeys.APPLICATION_ID, app);
        Path bundle = ItBundles.lexiconBundle();
        p.put(ConfigKeys.NER_MODEL, bundle.toString());
        p.put(ConfigKeys.TOPIC_MODEL, bundle.toString());
        p.put(ConfigKeys.INFERENCE_DEVICE, "cpu");
        p.put(ConfigKeys.INFERENCE_INTRA_OP_THREADS, "1");
        p.put(ConfigKeys.STARTUP_TIMEOUT_MS, "15000");
        p.put(ConfigKeys.METRICS_PORT, "0");
        p.put(ConfigKeys.STATE_DIR, stateRoot.resolve(app).toString());
        sasl(USER, JaasUtils.KAFKA_PLAIN_USER1_PASSWORD).forEach((k, v) -> p.put("kafka." + k, v));
        Path file = tmp.resolve(app + ".properties");
        try (var w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        return file;
    }

    @Test
    void theReadmesAclsAreEnoughToEnrichAndEachOfThemIsNeeded() throws Exception {
        // exactly the README's rights: records in, events out (read_committed)
        String app = "acl-all";
        List<Right> rights = readmeRights(app);
        grantOnly(rights.stream().flatMap(r -> r.bindings().stream()).toList());
        ChildJvm p = ProcessHarness.process(
                List.of(), List.of("run", "--config", config(app).toString()), tmp.resolve(app + ".log"), Map.of());
        assertTrue(p.awaitRunning(Duration.ofSeconds(120)), p.tail());
        int n = 6;
        try (KafkaProducer<byte[], byte[]> producer =
                ProcessHarness.producer(cluster.bootstrapServers(), new LinkedHashMap<>(adminClient()))) {
            for (int i = 0; i < n; i++) {
                String v = "{\"id\":\"acl-" + i + "\",\"text\":\"Angela Merkel visited Paris. #" + i + "\"}";
                producer.send(new ProducerRecord<>(
                        TOPICS.input(),
                        ("acl-" + i).getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        try (EventCollector events = new EventCollector(
                cluster.bootstrapServers(), adminClient(), List.of(TOPICS.entities(), TOPICS.topics(), TOPICS.dlq()))) {
            boolean all = events.collectUntil(
                    rs -> EventCollector.count(rs, TOPICS.entities()) >= n
                            && EventCollector.count(rs, TOPICS.topics()) >= n,
                    Duration.ofSeconds(90));
            assertTrue(all, "every record enriched with the README's ACLs:\n" + p.tail());
            assertEquals(0, EventCollector.count(events.records(), TOPICS.dlq()), p.tail());
        }
        p.terminate();
        assertEquals(0, p.await(Duration.ofSeconds(60)), p.tail());
        assertFalse(p.output().contains(" ERROR "), p.output());
        assertFalse(p.output().contains(" WARN "), "a normal run logs no WARN:\n" + p.output());
        assertFalse(p.output().contains("AuthorizationException"), p.output());

        // without each right in turn: one error line naming it, exit 1, before the stream starts
        int c = 0;
        for (Right missing : readmeRights("x")) {
            String caseApp = "acl-" + c++;
            List<Right> these = readmeRights(caseApp);
            Right left = these.stream()
                    .filter(r -> r.line() == missing.line() && r.op() == missing.op())
                    .findFirst()
                    .orElseThrow();
            grantOnly(these.stream()
                    .filter(r -> r != left)
                    .flatMap(r -> r.bindings().stream())
                    .toList());
            InProcessCli.Result r =
                    InProcessCli.run("run", "--config", config(caseApp).toString());
            String what = "without " + camel(left.op()) + " of README line " + (left.line() + 1) + ":\n" + r.err();
            assertEquals(1, r.code(), what);
            List<String> errors =
                    r.err().lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(1, errors.size(), what);
            assertTrue(
                    errors.get(0).startsWith("error: the cluster denies User:" + USER + " what the processor needs: "),
                    what);
            assertTrue(errors.get(0).contains(left.named()), "names " + left.named() + ": " + what);
            System.out.println("AclIT: without " + camel(left.op()) + " of README line " + (left.line() + 1) + " ("
                    + r.millis() + " ms): " + errors.get(0));
            assertFalse(r.err().contains("REBALANCING"), "fails before the stream starts: " + what);
            assertFalse(r.err().contains("\tat "), "no stack trace: " + what);
        }
    }
}
