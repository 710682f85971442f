package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import io.streamnlp.testing.ChildJvm;
import io.streamnlp.topology.NodeNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactly-once through many hard crashes, as an operator would try it: the broker in a process of its own, a backlog
 * on the input topic before the first processor starts (not paced; topped up in bursts so that every kill finds work),
 * processors run as their own JVMs and
 * SIGKILLed again and again (several times within 2 s of the previous recovery), each restarted at once with its
 * state folder. Several keys share each partition, and short records are mixed with long documents inferred in
 * segments over several batches, so records complete out of input order and leave from the middle of a task's queue
 * (per-key forwarding); a few records are bad. Afterwards a read_committed consumer of every output topic must hold
 * exactly the events of a run without crashes (no duplicate, nothing missing, nothing else, each key's events in
 * input order), the stores must be empty, and every recovery must be quick. One variant runs one instance, the other
 * two.
 */
@WithKafka(brokerProcess = true)
@ExtendWith(ChildJvm.KillAfterEach.class)
class HardCrashIT {
    static TestBroker kafka;

    static final long SEED = 20261206L;
    static final int PARTITIONS = 4;
    static final int KEYS_PER_PARTITION = 5;
    static final int N = Integer.getInteger("hardcrash.records", 2400);
    static final int KILLS = 8;
    /**
     * A batch holds at most 256 tokens: a long document (12 to 40 sentences, some 150 to 500 tokens) is cut into 2 to
     * 6 segments, each inferred in a batch of its own, while the short records of the other keys go by.
     */
    static final Map<String, String> PROCESSOR = Map.of(ConfigKeys.BATCH_MAX_TOKENS, "256");

    private static final String[] SENTENCES = {
        "Angela Merkel visited Paris after the election.",
        "Acme shares rose in Paris on Tuesday.",
        "Football fans in Paris cheered for Angela Merkel.",
        "Acme released new software for the election.",
        "Nothing happened today, said nobody in particular.",
        "Angela Merkel and Acme met in Paris to talk about football and shares.",
        "The weather was mild and the markets were quiet.",
    };

    static final List<Integer> PARTITIONS_RANGE =
            java.util.stream.IntStream.range(0, PARTITIONS).boxed().toList();

    static final List<In> INPUTS = inputs(N, SEED);
    /** The events of a run without crashes, made by the first variant and compared with by both. */
    private static Expected reference;

    /** One input: its index, id, key (shared with other records of its partition), partition, value, kind. */
    record In(int index, String id, String key, int partition, byte[] value, boolean bad, boolean longDoc) {
        ProducerRecord<byte[], byte[]> record(String topic) {
            return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    /** {@code n} seeded inputs: about 12 % long documents, 3 % bad records (four kinds), the rest short records. */
    static List<In> inputs(int n, long seed) {
        Random r = new Random(seed);
        List<In> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = "h-" + i;
            int partition = r.nextInt(PARTITIONS);
            String key = "k" + partition + "-" + r.nextInt(KEYS_PER_PARTITION);
            int kind = r.nextInt(100);
            String value;
            boolean bad = kind < 3;
            boolean longDoc = kind >= 88;
            if (bad) {
                value = switch (kind) {
                    case 0 -> "{\"id\":\"" + id + "\",\"text\":";
                    case 1 -> "{\"id\":\"" + id + "\",\"text\":\"   \"}";
                    default -> r.nextBoolean() ? "{\"id\":\"" + id + "\"}" : "{\"id\":\"" + id + "\",\"text\":42}";
                };
            } else if (longDoc) {
                StringBuilder text = new StringBuilder();
                int sentences = 12 + r.nextInt(29);
                for (int s = 0; s < sentences; s++) {
                    text.append(SENTENCES[r.nextInt(SENTENCES.length)]).append(' ');
                }
                text.append("End of document ").append(i).append('.');
                value = "{\"id\":\"" + id + "\",\"text\":\"" + text + "\",\"n\":" + i + "}";
            } else {
                value = "{\"id\":\"" + id + "\",\"text\":\"" + SENTENCES[r.nextInt(SENTENCES.length)] + " #" + i
                        + "\",\"n\":" + i + "}";
            }
            out.add(new In(i, id, key, partition, value.getBytes(StandardCharsets.UTF_8), bad, longDoc));
        }
        return out;
    }

    /** What a run must produce: per good id its entity and topic event, per bad id its dead letter's error. */
    record Expected(Map<String, JsonNode> entities, Map<String, JsonNode> topics, Map<String, String> dlq) {}

    static Set<String> ids(boolean bad) {
        Set<String> s = new TreeSet<>();
        INPUTS.stream().filter(i -> i.bad() == bad).forEach(i -> s.add(i.id()));
        return s;
    }

    /** The id of an output record: the event's id, or for a dead letter the input whose bytes it carries. */
    static final Map<ByteBuffer, String> BY_VALUE = new HashMap<>();

    static {
        INPUTS.forEach(i -> BY_VALUE.put(ByteBuffer.wrap(i.value()), i.id()));
    }

    /** Outputs (events and dead letters) expected per input partition. */
    static final Map<Integer, Integer> EXPECTED_OUTPUTS = new HashMap<>();

    static {
        INPUTS.forEach(i -> EXPECTED_OUTPUTS.merge(i.partition(), i.bad() ? 1 : 2, Integer::sum));
    }

    static final int TOTAL_OUTPUTS =
            EXPECTED_OUTPUTS.values().stream().mapToInt(Integer::intValue).sum();

    static int index(String id) {
        return Integer.parseInt(id.substring(id.indexOf('-') + 1));
    }

    /** The inputs through an in-process processor that is never interrupted (same settings, same broker). */
    static synchronized Expected reference(TestNames names) throws Exception {
        if (reference != null) {
            return reference;
        }
        long t0 = System.nanoTime();
        Set<String> good = ids(false);
        Set<String> bad = ids(true);
        try (Pipeline p = new Pipeline(kafka, names, ItBundles.lexiconBundle(), PARTITIONS, PROCESSOR)) {
            awaitLeaders(p.topics.input());
            for (In in : INPUTS) {
                p.send(in.partition(), in.key(), in.value());
            }
            p.flush();
            p.start();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= good.size()
                                        && EventCollector.count(rs, p.topics.topics()) >= good.size()
                                        && EventCollector.count(rs, p.topics.dlq()) >= bad.size(),
                                Duration.ofSeconds(120)),
                        "the reference run completed");
                c.drainFor(Duration.ofSeconds(1));
                Outcome o = new Outcome(p.topics.entities(), p.topics.topics(), p.topics.dlq());
                c.records().forEach(r -> o.add(r, 0));
                assertEquals(0, o.duplicates(), "the run without crashes duplicates nothing: " + o.duplicateIds);
                assertEquals(good, o.entities.keySet(), "the reference has an entity event for every good record");
                assertEquals(good, o.topics.keySet(), "the reference has a topic event for every good record");
                assertEquals(bad, o.dlq.keySet(), "the reference dead-letters every bad record");
                Map<String, String> dlq = new TreeMap<>();
                o.dlq.forEach((id, r) -> dlq.put(id, ProcessHarness.header(r, DeadLetters.ERROR)));
                // the premises of the crash runs: records leave from the middle of a task's queue, and long documents
                // are inferred in segments over several batches (their finished segments kept in the partials store)
                int partialPuts =
                        Stores.puts(kafka.bootstrapServers(), Stores.changelog(appId(p), NodeNames.PARTIALS_STORE));
                // reported, not asserted here: each variant asserts it for its own run, with its numbers
                var live = Stores.awaitEmpty(kafka.bootstrapServers(), appId(p), Duration.ofSeconds(5));
                System.out.println("hard crash: reference run of " + INPUTS.size() + " inputs took "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms; entity events before an earlier record's of"
                        + " the same input partition: " + o.overtakes + "; partial results stored: " + partialPuts
                        + "; its stores at the end: " + Stores.describe(live));
                assertTrue(
                        o.overtakes > 0,
                        "no record left its task's queue before an earlier one: forwarding from the middle untested");
                assertTrue(partialPuts > 0, "no long document was inferred in segments over several batches");
                reference = new Expected(o.entities, o.topics, dlq);
            }
        }
        return reference;
    }

    private static String appId(Pipeline p) {
        return p.config.get(ConfigKeys.APPLICATION_ID);
    }

    /** Output records by id and topic, with duplicates and each key's order of entity events. */
    static final class Outcome {
        final String entitiesTopic;
        final String topicsTopic;
        final String dlqTopic;
        final Map<String, JsonNode> entities = new TreeMap<>();
        final Map<String, JsonNode> topics = new TreeMap<>();
        /** Where each (topic, id) was first seen: partition and offset, to show a duplicate's two places. */
        private final Map<String, String> firstAt = new HashMap<>();

        final Map<String, ConsumerRecord<byte[], byte[]>> dlq = new TreeMap<>();
        final Map<String, Integer> dupByTopic = new TreeMap<>();
        final List<String> duplicateIds = new ArrayList<>();
        final List<String> strays = new ArrayList<>();
        /** Per output key, the input index of its last entity event: an event of a lower index is out of order. */
        final Map<String, Integer> lastOfKey = new HashMap<>();

        int outOfOrder;
        final List<String> outOfOrderIds = new ArrayList<>();
        /**
         * Per output partition and input partition, the input index of the last entity event: an event of a lower
         * index means a record left its task's queue before an earlier one (of another key), from the middle.
         */
        final Map<String, Integer> lastOfInputPartition = new HashMap<>();

        int overtakes;

        Outcome(String entitiesTopic, String topicsTopic, String dlqTopic) {
            this.entitiesTopic = entitiesTopic;
            this.topicsTopic = topicsTopic;
            this.dlqTopic = dlqTopic;
        }

        /** Adds one output record; returns its id (null when it is not one of the inputs'). */
        String add(ConsumerRecord<byte[], byte[]> r, long at) {
            String id;
            boolean fresh;
            if (r.topic().equals(dlqTopic)) {
                id = BY_VALUE.get(ByteBuffer.wrap(r.value()));
                fresh = id != null && dlq.putIfAbsent(id, r) == null;
            } else {
                JsonNode n = ProcessHarness.normalized(r);
                id = n.path("id").asText();
                Map<String, JsonNode> m = r.topic().equals(entitiesTopic) ? entities : topics;
                fresh = m.putIfAbsent(id, n) == null;
                if (r.topic().equals(entitiesTopic) && id.startsWith("h-")) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    int i = index(id);
                    Integer prior = lastOfInputPartition.put(
                            r.partition() + "/" + INPUTS.get(i).partition(), i);
                    if (prior != null && prior > i) {
                        overtakes++;
                    }
                    Integer before = lastOfKey.put(key, i);
                    if (before != null && before >= i) {
                        outOfOrder++;
                        if (outOfOrderIds.size() < 10) {
                            outOfOrderIds.add(key + ": " + id + " after h-" + before);
                        }
                    }
                }
            }
            if (id == null || !id.startsWith("h-") || index(id) >= INPUTS.size()) {
                strays.add(r.topic() + ":" + id);
                return null;
            }
            String where = "p" + r.partition() + "@" + r.offset();
            String first = firstAt.putIfAbsent(r.topic() + ":" + id, where);
            if (!fresh) {
                dupByTopic.merge(r.topic(), 1, Integer::sum);
                if (duplicateIds.size() < 20) {
                    duplicateIds.add(r.topic().substring(r.topic().lastIndexOf('-') + 1) + ":" + id + " (" + first
                            + ", " + where + ")");
                }
            }
            return id;
        }

        int duplicates() {
            return dupByTopic.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * A read_committed consumer of every output topic from the beginning, in a thread of its own: the outcome so far,
     * and when each input partition last had output (a crashed instance's open transaction holds its output back until
     * the restarted one fences it).
     */
    static final class Watch implements AutoCloseable {
        private final Outcome outcome;
        private final Map<Integer, List<Long>> arrivals = new HashMap<>();
        /** Outputs seen per input partition, each (topic, id) once. */
        private final Map<Integer, Integer> distinct = new HashMap<>();

        private int distinctTotal;
        /** Outputs expected per input partition from the inputs sent so far, and when one was last sent. */
        private final Map<Integer, Integer> sentExpected = new HashMap<>();

        private final Map<Integer, Long> lastSent = new HashMap<>();
        private int sentOutputs;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile long lastNew = System.nanoTime();
        private volatile RuntimeException failure;

        Watch(String bootstrap, ProcessHarness.App app) throws InterruptedException {
            outcome = new Outcome(app.topics.entities(), app.topics.topics(), app.topics.dlq());
            CountDownLatch ready = new CountDownLatch(1);
            thread = new Thread(
                    () -> {
                        try (KafkaConsumer<byte[], byte[]> c = ProcessHarness.committedReader(
                                bootstrap,
                                List.of(app.topics.entities(), app.topics.topics(), app.topics.dlq()),
                                true)) {
                            ready.countDown();
                            while (!stop.get()) {
                                var got = c.poll(Duration.ofMillis(50));
                                long now = System.nanoTime();
                                synchronized (this) {
                                    for (var r : got) {
                                        record(r, now);
                                    }
                                }
                            }
                        } catch (RuntimeException e) {
                            failure = e;
                        }
                    },
                    "hard-crash-watch");
            thread.setDaemon(true);
            thread.start();
            assertTrue(ready.await(60, TimeUnit.SECONDS), "the output consumer started");
        }

        /** The first output of an input partition at or after {@code nanos}, or -1. */
        synchronized long firstAt(int partition, long nanos) {
            for (long t : arrivals.getOrDefault(partition, List.of())) {
                if (t >= nanos) {
                    return t;
                }
            }
            return -1;
        }

        private void record(ConsumerRecord<byte[], byte[]> r, long now) {
            int before = outcome.duplicates();
            String id = outcome.add(r, now);
            if (id == null) {
                return;
            }
            int partition = INPUTS.get(index(id)).partition();
            arrivals.computeIfAbsent(partition, k -> new ArrayList<>()).add(now);
            if (outcome.duplicates() == before) {
                distinct.merge(partition, 1, Integer::sum);
                distinctTotal++;
                lastNew = now;
            }
        }

        /** The last output of an input partition, or -1. */
        synchronized long last(int partition) {
            List<Long> a = arrivals.getOrDefault(partition, List.of());
            return a.isEmpty() ? -1 : a.get(a.size() - 1);
        }

        synchronized void sent(List<In> inputs) {
            long now = System.nanoTime();
            for (In in : inputs) {
                int outputs = in.bad() ? 1 : 2;
                sentExpected.merge(in.partition(), outputs, Integer::sum);
                lastSent.put(in.partition(), now);
                sentOutputs += outputs;
            }
        }

        /** Outputs expected from the inputs sent so far. */
        synchronized int sentOutputs() {
            return sentOutputs;
        }

        /** Whether an input partition has all the outputs of the inputs sent to it so far. */
        synchronized boolean done(int partition) {
            return distinct.getOrDefault(partition, 0) >= sentExpected.getOrDefault(partition, 0);
        }

        /** Outputs seen so far (each topic and id once). */
        synchronized int progress() {
            return distinctTotal;
        }

        /**
         * Input partitions whose outputs are not all there yet and that had output (or new input) in the 5 s before
         * {@code nanos}: the partitions a processor was working on. A partition stuck on a lost record is not one of
         * them.
         */
        synchronized Set<Integer> pending(long nanos) {
            Set<Integer> p = new TreeSet<>();
            long recent = nanos - 5_000_000_000L;
            for (int partition = 0; partition < PARTITIONS; partition++) {
                if (!done(partition) && (last(partition) >= recent || lastSent.getOrDefault(partition, 0L) >= recent)) {
                    p.add(partition);
                }
            }
            return p;
        }

        synchronized boolean complete(Set<String> good, Set<String> bad) {
            check();
            return outcome.entities.keySet().containsAll(good)
                    && outcome.topics.keySet().containsAll(good)
                    && outcome.dlq.keySet().containsAll(bad);
        }

        long lastNew() {
            return lastNew;
        }

        void check() {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    private interface Sender {
        void send(int count) throws Exception;
    }

    /** One kill: which instance, how long after the previous recovery (or the first output), and its recovery. */
    record Kill(String victim, long afterRecoveryMs, int pendingPartitions, double recoverySeconds) {}

    @Test
    void oneInstanceSigkilledEightTimesEmitsEveryEventExactlyOnce(TestNames names) throws Exception {
        run(names, List.of("p"));
    }

    @Test
    void twoInstancesSigkilledInTurnEmitEveryEventExactlyOnce(TestNames names) throws Exception {
        run(names, List.of("a", "b"));
    }

    private void run(TestNames names, List<String> instances) throws Exception {
        Expected expected = reference(names);
        long t0 = System.nanoTime();
        Set<String> good = ids(false);
        Set<String> bad = ids(true);
        Random random = new Random(SEED + instances.size());
        // processor logs and state folders under target/, kept for a failure's post-mortem, in a new folder for each
        // run: application ids repeat from one test JVM to the next, and a state folder left by an earlier run (its
        // checkpoint naming offsets of another broker's changelog) would be restored from the wrong place
        Path runs = java.nio.file.Files.createDirectories(
                Path.of("target", "it-hard-crash").toAbsolutePath());
        ProcessHarness.App app = new ProcessHarness.App(
                kafka, names, java.nio.file.Files.createTempDirectory(runs, "run-"), PARTITIONS, PROCESSOR);
        // recovery with the default transaction and group timeouts, not the harness's short ones
        app.config.remove(ConfigKeys.TRANSACTION_TIMEOUT_MS);
        app.config.remove("kafka.consumer.session.timeout.ms");
        app.config.remove("kafka.consumer.heartbeat.interval.ms");

        // Half of the inputs are on the input topic before the first processor starts, all at once; the rest follows
        // in bursts of a sixteenth, each sent at once right before a kill when less than that is left to emit (a
        // restarted processor emits its restored buffer fast: a fixed backlog would run dry before the last kill on a
        // fast machine), and whatever is left after the last kill.
        awaitLeaders(app.topics.input());
        Map<String, ChildJvm> running = new LinkedHashMap<>();
        List<Kill> kills = new ArrayList<>();
        try (Watch watch = new Watch(kafka.bootstrapServers(), app);
                KafkaProducer<byte[], byte[]> prod = ProcessHarness.producer(kafka.bootstrapServers(), Map.of())) {
            int[] sent = {0};
            Sender send = count -> {
                List<In> burst = INPUTS.subList(sent[0], Math.min(INPUTS.size(), sent[0] + count));
                List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
                for (In in : burst) {
                    acks.add(prod.send(in.record(app.topics.input())));
                }
                prod.flush();
                for (var f : acks) {
                    f.get(60, TimeUnit.SECONDS); // every record acknowledged
                }
                watch.sent(burst);
                sent[0] += burst.size();
            };
            send.send(INPUTS.size() / 2);
            // The first output may come before the last instance reports RUNNING (the first one at work while the
            // second starts; with a fast model it can even finish the backlog by then): count from the first start.
            long launched = System.nanoTime();
            for (String name : instances) {
                running.put(name, app.start(name, Map.of()));
            }
            for (var e : running.entrySet()) {
                assertTrue(
                        e.getValue().awaitRunning(Duration.ofSeconds(90)),
                        e.getKey() + ":\n" + e.getValue().tail());
            }
            // the first kill comes a while after the first output (a processor working through the backlog)
            long started = System.nanoTime();
            long recovered = -1;
            while (recovered < 0
                    && System.nanoTime() - started < Duration.ofSeconds(60).toNanos()) {
                recovered = PARTITIONS_RANGE.stream()
                        .mapToLong(p -> watch.firstAt(p, launched))
                        .filter(t -> t > 0)
                        .min()
                        .orElse(-1);
                Thread.sleep(20);
            }
            if (recovered < 0) {
                StringBuilder tails = new StringBuilder();
                running.forEach((name, jvm) ->
                        tails.append("\n").append(name).append(":\n").append(jvm.tail()));
                fail("no output within 60 s of RUNNING (" + watch.progress() + " of " + watch.sentOutputs()
                        + " expected outputs seen)" + tails);
            }
            for (int k = 0; k < KILLS; k++) {
                // every other kill, and the third, within 2 s of the previous recovery; the others 2 to 4.5 s after it;
                // any of them sooner once the output has gone a share of the way (so that a fast machine does not run
                // out of backlog before the last kill)
                boolean quick = k % 2 == 1 || k == 2;
                long pause = quick ? 100 + random.nextInt(1700) : 2000 + random.nextInt(2500);
                long killAt = recovered + pause * 1_000_000;
                int progressAtRecovery = watch.progress();
                int share = (watch.sentOutputs() - progressAtRecovery) / (KILLS - k + 1);
                while (System.nanoTime() < killAt && watch.progress() - progressAtRecovery < share) {
                    Thread.sleep(10);
                }
                if (watch.sentOutputs() - watch.progress() < TOTAL_OUTPUTS / 16 && sent[0] < INPUTS.size()) {
                    send.send(INPUTS.size() / 16);
                }
                String victim = instances.get(random.nextInt(instances.size()));
                ChildJvm proc = running.get(victim);
                assertTrue(proc.isAlive(), victim + " alive before kill " + k + ":\n" + proc.tail());
                long sinceRecovery = (System.nanoTime() - recovered) / 1_000_000;
                int progress = watch.progress();
                proc.kill(); // SIGKILL, waited for
                long killed = System.nanoTime();
                running.put(victim, app.start(victim, Map.of())); // restarted at once, with its state folder
                Set<Integer> pending = watch.pending(killed);
                recovered = awaitOutputOfEveryPendingPartition(watch, pending, killed, running.get(victim));
                double seconds = recovered < 0 ? Double.NaN : (recovered - killed) / 1e9;
                kills.add(new Kill(victim, sinceRecovery, pending.size(), seconds));
                System.out.printf(
                        "hard crash [%d instance(s)]: kill %d of %s %d ms after the previous recovery, at %d of %d"
                                + " outputs (%d of %d inputs sent), input partitions %s emitting: each emitted again"
                                + " %.1f s after the kill%n",
                        instances.size(),
                        k,
                        victim,
                        sinceRecovery,
                        progress,
                        TOTAL_OUTPUTS,
                        sent[0],
                        INPUTS.size(),
                        pending,
                        seconds);
                if (recovered < 0) {
                    recovered = System.nanoTime();
                }
            }
            send.send(INPUTS.size());
            // the rest of the backlog: until every input has its output, or no new output comes for 20 s
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!watch.complete(good, bad)
                    && System.nanoTime() < deadline
                    && System.nanoTime() - Math.max(watch.lastNew(), recovered)
                            < Duration.ofSeconds(20).toNanos()) {
                Thread.sleep(200);
            }
            Thread.sleep(2000); // anything more (a duplicate) that was on its way
            watch.check();
            Map<String, Map<Integer, TreeSet<Long>>> live =
                    Stores.awaitEmpty(kafka.bootstrapServers(), app.appId, Duration.ofSeconds(10));
            for (var e : running.entrySet()) {
                assertTrue(
                        e.getValue().isAlive(),
                        e.getKey() + " still runs:\n" + e.getValue().tail());
                e.getValue().terminate();
            }
            for (var e : running.entrySet()) {
                assertEquals(
                        0,
                        e.getValue().await(Duration.ofSeconds(60)),
                        "clean exit:\n" + e.getValue().tail());
            }

            int inputCopies = inputRecords(app.topics.input());
            Outcome got;
            synchronized (watch) {
                got = watch.outcome;
                int missingEntities = missing(got.entities.keySet(), good);
                int missingTopics = missing(got.topics.keySet(), good);
                int missingDlq = missing(got.dlq.keySet(), bad);
                int missing = missingEntities + missingTopics + missingDlq;
                List<String> missingIds = new ArrayList<>();
                for (String id : good) {
                    if ((!got.entities.containsKey(id) || !got.topics.containsKey(id)) && missingIds.size() < 10) {
                        missingIds.add(id);
                    }
                }
                String diffs = diffs(got, expected);
                List<Double> rec = kills.stream()
                        .map(Kill::recoverySeconds)
                        .map(s -> s.isNaN() ? Double.POSITIVE_INFINITY : s)
                        .sorted()
                        .toList();
                double median = (rec.get((rec.size() - 1) / 2) + rec.get(rec.size() / 2)) / 2;
                double max = rec.get(rec.size() - 1);
                long quickKills =
                        kills.stream().filter(x -> x.afterRecoveryMs() < 2000).count();
                long longDocs = INPUTS.stream().filter(In::longDoc).count();
                System.out.println("hard crash [" + instances.size() + " instance(s)]: inputs=" + INPUTS.size()
                        + " (good " + good.size() + ", long documents " + longDocs + ", bad " + bad.size() + ")"
                        + " entities=" + got.entities.size() + " topics=" + got.topics.size() + " dlq="
                        + got.dlq.size() + " duplicates=" + got.duplicates() + " " + got.dupByTopic + " missing="
                        + missing + " (entities " + missingEntities + ", topics " + missingTopics + ", dlq "
                        + missingDlq + ") stray=" + got.strays.size() + " out-of-order=" + got.outOfOrder
                        + " overtakes=" + got.overtakes
                        + " content-diffs=" + (diffs.isEmpty() ? 0 : diffs.split("\n  ").length - 1)
                        + " live-store-entries=" + Stores.describe(live) + " kills=" + kills.size()
                        + " (within 2 s of the previous recovery: " + quickKills + ")"
                        + String.format(
                                " recovery_median_s=%.1f recovery_max_s=%.1f per kill %s",
                                median,
                                max,
                                kills.stream()
                                        .map(x -> String.format("%.1f", x.recoverySeconds()))
                                        .toList())
                        + " input-records=" + inputCopies + " total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                assertEquals(
                        INPUTS.size(), inputCopies, "the input topic holds every input once (the test's producer)");
                assertEquals(0, got.duplicates(), "duplicates: " + got.dupByTopic + " e.g. " + got.duplicateIds);
                assertEquals(
                        0,
                        missing,
                        "missing: " + missingEntities + " entity, " + missingTopics + " topic, " + missingDlq
                                + " dead-letter events, e.g. " + missingIds);
                assertEquals(List.of(), got.strays, "events for ids that were not sent");
                assertTrue(diffs.isEmpty(), "events differ from the run without crashes:" + diffs);
                assertEquals(0, got.outOfOrder, "a key's entity events out of input order: " + got.outOfOrderIds);
                assertTrue(
                        Stores.empty(live),
                        "once every input had its events the stores still hold live entries (a restore would"
                                + " enrich and emit them again): " + Stores.describe(live));
                assertEquals(KILLS, kills.size());
                assertTrue(quickKills >= 3, "at least 3 kills within 2 s of the previous recovery: " + kills);
                assertTrue(
                        kills.stream().allMatch(x -> x.pendingPartitions() > 0),
                        "every kill hit a processor that was emitting: " + kills);
                assertTrue(
                        median <= 10 && max <= 20,
                        String.format(
                                "recovery median %.1f s (at most 10), max %.1f s (at most 20): %s",
                                median, max, kills));
            }
        }
    }

    /**
     * Waits until every partition of a new topic is served by its leader: records sent before that are answered
     * NOT_LEADER_OR_FOLLOWER, and an idempotent producer's retries of them can then be refused as out of order until
     * they expire.
     */
    private static void awaitLeaders(String topic) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                kafka.admin().listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** How many records the input topic holds (read_committed, from the beginning to the end). */
    private static int inputRecords(String topic) {
        try (EventCollector c = new EventCollector(kafka.bootstrapServers(), Map.of(), List.of(topic))) {
            c.collectUntil(rs -> rs.size() >= INPUTS.size(), Duration.ofSeconds(30));
            c.drainFor(Duration.ofSeconds(1));
            return c.records().size();
        }
    }

    private static int missing(Set<String> got, Set<String> expected) {
        int m = 0;
        for (String id : expected) {
            if (!got.contains(id)) {
                m++;
            }
        }
        return m;
    }

    /** Events that differ from the reference's (the first few). */
    private static String diffs(Outcome got, Expected ref) {
        StringBuilder d = new StringBuilder();
        int shown = 0;
        for (var pair : List.of(List.of(got.entities, ref.entities()), List.of(got.topics, ref.topics()))) {
            for (var e : pair.get(0).entrySet()) {
                JsonNode want = pair.get(1).get(e.getKey());
                if (want != null && !want.equals(e.getValue()) && shown++ < 5) {
                    d.append("\n  ")
                            .append(e.getKey())
                            .append(": got ")
                            .append(e.getValue())
                            .append("\n  expected ")
                            .append(want);
                }
            }
        }
        for (var e : got.dlq.entrySet()) {
            String error = ProcessHarness.header(e.getValue(), DeadLetters.ERROR);
            if (!java.util.Objects.equals(error, ref.dlq().get(e.getKey())) && shown++ < 5) {
                d.append("\n  dlq ").append(e.getKey()).append(": ").append(error);
            }
        }
        return d.toString();
    }

    /**
     * Waits until every input partition of {@code pending} has
     * output again from a processor started after {@code since} (output more than 500 ms after it: no new JVM emits
     * sooner, and what a killed one had committed arrives at once); the time the last one did, or -1 after 30 s (the bound is 20).
     */
    private static long awaitOutputOfEveryPendingPartition(
            Watch watch, Set<Integer> pending, long since, ChildJvm restarted) throws Exception {
        if (pending.isEmpty()) {
            return -1; // nothing was being emitted: no recovery to see
        }
        long from = since + 500_000_000L;
        long deadline = since + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            watch.check();
            long last = 0;
            boolean any = false;
            for (int p : pending) {
                long t = watch.firstAt(p, from);
                if (t < 0 && watch.done(p)) {
                    continue; // its last outputs were committed before the kill: nothing left to recover
                }
                any = true;
                if (t < 0) {
                    last = -1;
                    break;
                }
                last = Math.max(last, t);
            }
            if (!any) {
                return -1; // every one had its last outputs committed before the kill: no recovery to see
            }
            if (last > 0) {
                return last;
            }
            if (restarted != null && !restarted.isAlive()) {
                throw new AssertionError("the restarted processor died:\n" + restarted.tail());
            }
            Thread.sleep(20);
        }
        return -1;
    }
}
