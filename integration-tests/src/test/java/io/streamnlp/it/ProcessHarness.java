package io.streamnlp.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.Topics;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.local.EventCollector;
import io.streamnlp.testing.ChildJvm;
import io.streamnlp.topology.NodeNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reliability test harness: a processor run as a separate JVM ({@code java -jar app/server/target/streamnlp.jar run}),
 * topics of its own, a producer, exactly-once bookkeeping of what came out.
 */
final class ProcessHarness {
    private ProcessHarness() {}

    /** The shaded jar the app module builds (integration tests run from their module folder). */
    static Path jar() {
        Path p = Path.of(System.getProperty("user.dir"))
                .toAbsolutePath()
                .getParent()
                .resolve("app/server/target/streamnlp.jar");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " is missing: build with ./mvnw verify -pl integration-tests -am");
        }
        return p;
    }

    /** One application (topics, id, config, from the test's names) of the lexicon bundle whose processors run as processes. */
    static final class App {
        final TestBroker kafka;
        final String appId;
        final Topics topics;
        final Path dir;
        final Map<String, String> config = new LinkedHashMap<>();

        App(TestBroker kafka, TestNames names, Path dir, int partitions, Map<String, String> overrides)
                throws IOException {
            this.kafka = kafka;
            this.appId = names.applicationId();
            this.topics = names.topics();
            this.dir = Files.createDirectories(dir.resolve(appId));
            config.put(ConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            config.put(ConfigKeys.APPLICATION_ID, appId);
            config.put(ConfigKeys.TOPIC_INPUT, topics.input());
            config.put(ConfigKeys.TOPIC_ENTITIES, topics.entities());
            config.put(ConfigKeys.TOPIC_TOPICS, topics.topics());
            config.put(ConfigKeys.TOPIC_DLQ, topics.dlq());
            Path bundle = ItBundles.lexiconBundle();
            config.put(ConfigKeys.NER_MODEL, bundle.toString());
            config.put(ConfigKeys.TOPIC_MODEL, bundle.toString());
            config.put(ConfigKeys.INFERENCE_DEVICE, "cpu");
            config.put(ConfigKeys.INFERENCE_INTRA_OP_THREADS, "1");
            config.put(ConfigKeys.TRANSACTION_TIMEOUT_MS, "10000");
            config.put(ConfigKeys.STARTUP_TIMEOUT_MS, "15000");
            config.put(ConfigKeys.METRICS_PORT, "0"); // several processes side by side
            config.put("kafka.consumer.session.timeout.ms", "6000");
            config.put("kafka.consumer.heartbeat.interval.ms", "1000");
            config.putAll(overrides);
            TopicAdmin.ensureTopics(kafka.bootstrapServers(), Map.of(), topics, partitions, 3, 16 << 20);
        }

        String changelog() {
            return appId + "-" + NodeNames.BUFFER_STORE + "-changelog";
        }

        /** Starts a processor process with its own state folder {@code name} (reused across restarts of that name). */
        ChildJvm start(String name, Map<String, String> extra) throws IOException {
            return start(name, extra, List.of(), Map.of());
        }

        ChildJvm start(String name, Map<String, String> extra, List<String> jvmArgs, Map<String, String> env)
                throws IOException {
            Map<String, String> c = new LinkedHashMap<>(config);
            c.put(ConfigKeys.STATE_DIR, dir.resolve("state-" + name).toString());
            c.putAll(extra);
            Properties p = new Properties();
            p.putAll(c);
            Path file = dir.resolve(name + ".properties");
            try (var w = Files.newBufferedWriter(file)) {
                p.store(w, null);
            }
            return process(
                    jvmArgs,
                    List.of("run", "--config", file.toString()),
                    dir.resolve(name + "-" + System.nanoTime() + ".log"),
                    env);
        }

        EventCollector collector() {
            return new EventCollector(
                    kafka.bootstrapServers(), Map.of(), List.of(topics.entities(), topics.topics(), topics.dlq()));
        }
    }

    /** A {@code streamnlp.jar} process, its stdout and stderr in one log file. */
    static ChildJvm process(List<String> jvmArgs, List<String> args, Path log, Map<String, String> env)
            throws IOException {
        return ChildJvm.jar(jar())
                .heap("768m")
                .jvmArgs(List.of("-XX:TieredStopAtLevel=1"))
                .jvmArgs(jvmArgs)
                .args(args)
                .env(env)
                .log(log)
                .start();
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** One input record of a reliability run: its key (= its id), value and partition, and whether it is bad. */
    record Input(String id, byte[] value, int partition, boolean bad) {
        ProducerRecord<byte[], byte[]> record(String topic) {
            return new ProducerRecord<>(topic, partition, id.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    private static final String[] TEXTS = {
        "Angela Merkel visited Paris after the election.",
        "Acme shares rose in Paris on Tuesday.",
        "Football fans in Paris cheered for Angela Merkel.",
        "Acme released new software for the election.",
        "Nothing happened today, said nobody in particular.",
        "Angela Merkel and Acme met in Paris to talk about football and shares.",
    };

    /** {@code n} inputs with ids {@code prefix-i}, every {@code badEvery}-th one bad, spread over the partitions. */
    static List<Input> inputs(String prefix, int n, int partitions, int badEvery, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<Input> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            String text = TEXTS[r.nextInt(TEXTS.length)] + " #" + i;
            String value;
            boolean bad = badEvery > 0 && i % badEvery == badEvery - 1;
            if (bad) {
                value = switch (r.nextInt(4)) {
                    case 0 -> "{\"id\":\"" + id + "\",\"text\":";
                    case 1 -> "{\"id\":\"" + id + "\",\"text\":\"   \"}";
                    case 2 -> "{\"id\":\"" + id + "\"}";
                    default -> "{\"id\":\"" + id + "\",\"text\":42}";
                };
            } else if (r.nextBoolean()) {
                value = "{\"id\":\"" + id + "\",\"text\":\"" + text + "\",\"n\":" + i + "}";
            } else {
                value = text;
            }
            out.add(new Input(id, value.getBytes(StandardCharsets.UTF_8), i % partitions, bad));
        }
        return out;
    }

    /** An event as compared across runs: the JSON without latencyMs. */
    static JsonNode normalized(ConsumerRecord<byte[], byte[]> r) {
        JsonNode n = EventCollector.json(r);
        ((ObjectNode) n).remove("latencyMs");
        return n;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** What a run produced, by id: events per output topic, DLQ records by key; duplicates counted. */
    static final class Outcome {
        final Map<String, JsonNode> entities = new TreeMap<>();
        final Map<String, JsonNode> topics = new TreeMap<>();
        final Map<String, ConsumerRecord<byte[], byte[]>> dlq = new TreeMap<>();
        int duplicates;
        final List<String> duplicateIds = new ArrayList<>();

        Outcome(Topics t, List<ConsumerRecord<byte[], byte[]>> records) {
            for (var r : records) {
                if (r.topic().equals(t.dlq())) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (dlq.put(key, r) != null) {
                        dup("dlq:" + key);
                    }
                    continue;
                }
                JsonNode n = normalized(r);
                String id = n.path("id").asText();
                Map<String, JsonNode> m =
                        r.topic().equals(t.entities()) ? entities : r.topic().equals(t.topics()) ? topics : null;
                if (m != null && m.put(id, n) != null) {
                    dup(r.topic() + ":" + id);
                }
            }
        }

        private void dup(String what) {
            duplicates++;
            if (duplicateIds.size() < 20) {
                duplicateIds.add(what);
            }
        }

        /** Ids expected on an output topic but absent from it. */
        static int missing(Map<String, ?> got, Set<String> expected) {
            int m = 0;
            for (String id : expected) {
                if (!got.containsKey(id)) {
                    m++;
                }
            }
            return m;
        }
    }

    /** Collects until every expected id is on each topic (or the timeout), then drains a little more for strays. */
    static Outcome collect(App app, Set<String> good, Set<String> bad, Duration timeout) {
        try (EventCollector c = app.collector()) {
            c.collectUntil(
                    rs -> {
                        Outcome o = new Outcome(app.topics, rs);
                        return o.entities.keySet().containsAll(good)
                                && o.topics.keySet().containsAll(good)
                                && o.dlq.keySet().containsAll(bad);
                    },
                    timeout);
            c.drainFor(Duration.ofSeconds(2));
            return new Outcome(app.topics, c.records());
        }
    }

    /**
     * When committed output arrives: a read_committed consumer on the output topics, from their current end, noting the
     * time of every poll that returned records (a crashed instance's open transaction holds them back until it is
     * fenced or times out).
     */

    /**
     * A read_committed consumer assigned every partition of {@code topics}, positioned at their beginning or (the
     * next event after now) their end: what the fault tests read the outputs with.
     */
    static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, List<String> topics, boolean fromStart) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            c.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(t, i.partition())));
        }
        c.assign(parts);
        if (fromStart) {
            c.seekToBeginning(parts);
        } else {
            c.seekToEnd(parts);
            parts.forEach(c::position);
        }
        return c;
    }

    static final class Arrivals implements AutoCloseable {
        private final java.util.concurrent.ConcurrentLinkedQueue<Long> times =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        private final Thread thread;

        private Arrivals(String bootstrap, List<String> topics) {
            CountDownLatch ready = new CountDownLatch(1);
            thread = new Thread(
                    () -> {
                        try (KafkaConsumer<byte[], byte[]> c = committedReader(bootstrap, topics, false)) {
                            ready.countDown();
                            while (!stop.get()) {
                                if (!c.poll(Duration.ofMillis(50)).isEmpty()) {
                                    times.add(System.nanoTime());
                                }
                            }
                        }
                    },
                    "arrivals");
            thread.setDaemon(true);
            thread.start();
            try {
                ready.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        static Arrivals start(String bootstrap, List<String> topics) {
            return new Arrivals(bootstrap, topics);
        }

        /**
         * Seconds from a kill to the next committed output: the first arrival more than 1.5 s after it (a new JVM cannot
         * start faster; earlier arrivals were committed before the kill). Waits for it.
         */
        double recoverySeconds(long killNanos, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (long t : times) {
                    if (t >= killNanos + 1_500_000_000L) {
                        return (t - killNanos) / 1e9;
                    }
                }
                Thread.sleep(50);
            }
            return timeout.toSeconds();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }

    static int bufferedInChangelog(String bootstrap, String changelog) {
        return bufferedByPartition(bootstrap, changelog).values().stream()
                .mapToInt(Integer::intValue)
                .sum();
    }

    /** Live buffered records per changelog partition (= per task); partitions with none are left out. */
    static Map<Integer, Integer> bufferedByPartition(String bootstrap, String changelog) {
        Map<Integer, Integer> byPartition = new TreeMap<>();
        Map<Integer, java.util.TreeSet<Long>> live = Stores.live(bootstrap, changelog);
        if (live != null) {
            live.forEach((partition, seqs) -> byPartition.put(partition, seqs.size()));
        }
        return byPartition;
    }

    /** Asserts the outcome is exactly the reference: one event per good id per topic, one DLQ record per bad id. */
    static String compare(Outcome got, Outcome ref, Set<String> good, Set<String> bad) {
        StringBuilder diffs = new StringBuilder();
        int shown = 0;
        for (String id : good) {
            for (var pair : List.of(List.of(got.entities, ref.entities), List.of(got.topics, ref.topics))) {
                JsonNode g = pair.get(0).get(id);
                JsonNode e = pair.get(1).get(id);
                if (e == null) {
                    throw new IllegalStateException("reference lacks " + id);
                }
                if (g != null && !g.equals(e) && shown++ < 5) {
                    diffs.append("\n  ")
                            .append(id)
                            .append(": got ")
                            .append(g)
                            .append("\n  expected ")
                            .append(e);
                }
            }
        }
        for (String id : bad) {
            var g = got.dlq.get(id);
            var e = ref.dlq.get(id);
            if (g != null
                    && (!java.util.Arrays.equals(g.value(), e.value())
                            || !header(g, DeadLetters.ERROR).equals(header(e, DeadLetters.ERROR)))
                    && shown++ < 5) {
                diffs.append("\n  dlq ").append(id).append(": ").append(header(g, DeadLetters.ERROR));
            }
        }
        return diffs.toString();
    }
}
