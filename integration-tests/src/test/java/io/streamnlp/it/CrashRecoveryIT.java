package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.testing.ChildJvm;
import io.streamnlp.topology.NodeNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through crashes: the processor runs as its own JVM and is SIGKILLed at random (seeded)
 * points, several times with records buffered in its changelogged store, and restarted each time. A
 * read_committed consumer then sees exactly the events of a run without crashes.
 */
@WithKafka
@ExtendWith(ChildJvm.KillAfterEach.class)
class CrashRecoveryIT {
    static TestBroker kafka;

    @TempDir
    static Path tmp;

    static final Path BUNDLE = ItBundles.lexiconBundle();

    /** The same inputs through an in-process processor that is never interrupted. */
    static ProcessHarness.Outcome reference(
            TestNames names, List<ProcessHarness.Input> inputs, int partitions, Set<String> good, Set<String> bad)
            throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, partitions, Map.of())) {
            p.start();
            for (ProcessHarness.Input in : inputs) {
                p.send(in.partition(), in.id(), in.value());
            }
            p.flush();
            try (var c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> {
                                    ProcessHarness.Outcome o = new ProcessHarness.Outcome(p.topics, rs);
                                    return o.entities.size() >= good.size()
                                            && o.topics.size() >= good.size()
                                            && o.dlq.size() >= bad.size();
                                },
                                Duration.ofSeconds(120)),
                        "the reference run completed");
                c.drainFor(Duration.ofSeconds(1));
                ProcessHarness.Outcome ref = new ProcessHarness.Outcome(p.topics, c.records());
                assertEquals(0, ref.duplicates);
                return ref;
            }
        }
    }

    @Test
    void sigkillAtRandomPointsLosesAndDuplicatesNothing(TestNames names) throws Exception {
        long t0 = System.nanoTime();
        int n = 5000;
        int partitions = 6;
        int kills = 6;
        Random random = new Random(20261123L);
        List<ProcessHarness.Input> inputs = ProcessHarness.inputs("c", n, partitions, 25, 7L);
        Set<String> good = new TreeSet<>();
        Set<String> bad = new TreeSet<>();
        inputs.forEach(i -> (i.bad() ? bad : good).add(i.id()));
        ProcessHarness.Outcome ref = reference(names, inputs, partitions, good, bad);
        assertEquals(good.size(), ref.entities.size());
        assertEquals(bad.size(), ref.dlq.size());
        long refDone = System.nanoTime();

        // Long max.wait, no idle flush, large record limit: records sit in the store for seconds, so kills hit buffers.
        ProcessHarness.App app = new ProcessHarness.App(
                kafka,
                names,
                tmp,
                partitions,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "200",
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "2500",
                        ConfigKeys.BATCH_IDLE_MS,
                        "0"));
        // Recovery is measured with the default transaction and group timeouts, not the harness's short ones.
        app.config.remove(ConfigKeys.TRANSACTION_TIMEOUT_MS);
        app.config.remove("kafka.consumer.session.timeout.ms");
        app.config.remove("kafka.consumer.heartbeat.interval.ms");
        ProcessHarness.Arrivals arrivals = ProcessHarness.Arrivals.start(
                kafka.bootstrapServers(), List.of(app.topics.entities(), app.topics.topics(), app.topics.dlq()));
        AtomicInteger produced = new AtomicInteger();
        AtomicBoolean killing = new AtomicBoolean(true);
        Thread producer = new Thread(
                () -> {
                    try (KafkaProducer<byte[], byte[]> prod =
                            ProcessHarness.producer(kafka.bootstrapServers(), Map.of())) {
                        for (ProcessHarness.Input in : inputs) {
                            prod.send(in.record(app.topics.input()));
                            if (produced.incrementAndGet() % 50 == 0 && killing.get()) {
                                prod.flush();
                                // input flows through every kill and recovery; the rest goes at once after the last
                                Thread.sleep(800);
                            }
                        }
                        prod.flush();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "crash-producer");
        producer.start();

        List<Integer> bufferedAtKill = new ArrayList<>();
        List<Long> killAfterMs = new ArrayList<>();
        List<Long> killedAt = new ArrayList<>();
        List<Double> recovery = new ArrayList<>();
        int producedAtLastKill = 0;
        for (int k = 0; k < kills; k++) {
            ChildJvm proc = app.start("p", Map.of()); // the same state folder: a restart of the same instance
            boolean running = proc.awaitRunning(Duration.ofSeconds(90));
            assertTrue(running, "processor " + k + " reached RUNNING:\n" + proc.tail());
            if (k > 0) {
                // seconds from the last kill to the next committed output, before the next kill
                recovery.add(arrivals.recoverySeconds(killedAt.get(k - 1), Duration.ofSeconds(120)));
            }
            long wait = 300 + random.nextInt(4200);
            Thread.sleep(wait);
            assertTrue(proc.isAlive(), "still alive before kill " + k + ":\n" + proc.tail());
            proc.kill();
            producedAtLastKill = produced.get();
            killedAt.add(System.nanoTime());
            killAfterMs.add(wait);
            bufferedAtKill.add(ProcessHarness.bufferedInChangelog(kafka.bootstrapServers(), app.changelog()));
        }
        ChildJvm last = app.start("p", Map.of()); // restarted at once, as after every other kill
        killing.set(false);
        assertTrue(last.awaitRunning(Duration.ofSeconds(90)), last.tail());
        recovery.add(arrivals.recoverySeconds(killedAt.get(kills - 1), Duration.ofSeconds(120)));
        arrivals.close();
        producer.join(120_000);
        assertEquals(n, produced.get());
        assertTrue(
                producedAtLastKill >= 6 * 50 && producedAtLastKill < n,
                "input was still flowing at the last kill: " + producedAtLastKill + " of " + n);
        ProcessHarness.Outcome got = ProcessHarness.collect(app, good, bad, Duration.ofSeconds(180));
        var live = Stores.awaitEmpty(kafka.bootstrapServers(), app.appId, Duration.ofSeconds(15));
        last.terminate();
        assertEquals(0, last.await(Duration.ofSeconds(60)), "clean exit:\n" + last.tail());

        int missing = ProcessHarness.Outcome.missing(got.entities, good)
                + ProcessHarness.Outcome.missing(got.topics, good)
                + ProcessHarness.Outcome.missing(got.dlq, bad);
        int stray = got.entities.size() + got.topics.size() + got.dlq.size() - (2 * good.size() + bad.size() - missing);
        System.out.println("crash test: kills after RUNNING+ms " + killAfterMs
                + ", committed buffered records at each kill " + bufferedAtKill + ", stores at the end "
                + Stores.describe(live) + ", reference "
                + (refDone - t0) / 1_000_000 + " ms, total " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals(0, got.duplicates, "duplicates " + got.duplicateIds);
        assertEquals(0, missing, "missing");
        assertEquals(0, stray, "no events for ids that were not sent");
        assertTrue(
                bufferedAtKill.stream().filter(b -> b > 0).count() >= 1,
                "at least one kill left records buffered in the store: " + bufferedAtKill);
        String diffs = ProcessHarness.compare(got, ref, good, bad);
        assertTrue(diffs.isEmpty(), "events differ from the run without crashes:" + diffs);
        Stores.assertEmpty(live);
        List<Double> sorted = recovery.stream().sorted().toList();
        double median = sorted.size() % 2 == 1
                ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        double max = sorted.get(sorted.size() - 1);
        System.out.println("crash test: recovery seconds per kill "
                + recovery.stream().map(r -> String.format("%.1f", r)).toList());
        System.out.println("crash test: inputs=" + n + " entities=" + got.entities.size() + " topics="
                + got.topics.size()
                + " dlq=" + got.dlq.size() + " duplicates=" + got.duplicates + " missing=" + missing + " kills=" + kills
                + String.format(
                        " recovery_median_s=%.1f recovery_max_s=%.1f (targets median<=10 max<=20: %s)",
                        median, max, median <= 10 && max <= 20 ? "held" : "MISSED"));
        assertEquals(kills, recovery.size());
        assertTrue(recovery.stream().allMatch(r -> r < 120), "output resumed after every kill: " + recovery);
    }

    /**
     * A record of input.max.bytes is inferred in segments over many transactions, its finished segments kept in the
     * changelogged partials store: SIGKILLed in the middle, the restarted instance resumes it and writes its events once.
     */
    @Test
    void aDocumentOfInputMaxBytesIsEnrichedAcrossTransactionsAndAKillInItsMiddleEmitsItOnce(TestNames names)
            throws Exception {
        ProcessHarness.App app =
                new ProcessHarness.App(kafka, names, tmp, 1, Map.of(ConfigKeys.BATCH_MAX_TOKENS, "256"));
        String sentence = "Angela Merkel met the Acme board in Paris. ";
        int reps = (256 * 1024 - 64) / sentence.length();
        byte[] value = ("{\"id\":\"doc\",\"text\":\"" + sentence.repeat(reps) + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(value.length <= 256 * 1024, "within input.max.bytes: " + value.length);
        String partials = app.appId + "-" + NodeNames.PARTIALS_STORE + "-changelog";

        ChildJvm first = app.start("p", Map.of());
        assertTrue(first.awaitRunning(Duration.ofSeconds(90)), first.tail());
        try (KafkaProducer<byte[], byte[]> prod = ProcessHarness.producer(kafka.bootstrapServers(), Map.of())) {
            prod.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            app.topics.input(), "doc".getBytes(), value))
                    .get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int committedPartials = 0;
        while (committedPartials == 0 && System.nanoTime() < deadline) {
            committedPartials = ProcessHarness.bufferedInChangelog(kafka.bootstrapServers(), partials);
        }
        assertTrue(
                committedPartials > 0,
                "finished segments were committed while the document was still running:\n" + first.tail());
        first.kill();

        ChildJvm second = app.start("p", Map.of());
        assertTrue(second.awaitRunning(Duration.ofSeconds(90)), second.tail());
        try (var c = app.collector()) {
            assertTrue(
                    c.collectUntil(
                            rs -> io.streamnlp.local.EventCollector.count(rs, app.topics.entities()) >= 1
                                    && io.streamnlp.local.EventCollector.count(rs, app.topics.topics()) >= 1,
                            Duration.ofSeconds(120)),
                    second.tail());
            c.drainFor(Duration.ofSeconds(3));
            var ents = c.records(app.topics.entities());
            assertEquals(1, ents.size(), "exactly one entities event");
            assertEquals(1, c.records(app.topics.topics()).size(), "exactly one topic event");
            assertEquals(0, c.records(app.topics.dlq()).size());
            var ev = io.streamnlp.local.EventCollector.json(ents.get(0));
            assertEquals(3 * reps, ev.path("entities").size(), "every entity of the document, none twice");
            System.out.println("long document: " + value.length + " bytes, "
                    + ev.path("entities").size()
                    + " entities, killed with a committed partial result, emitted once after the restart");
        }
        Stores.assertEmpty(kafka.bootstrapServers(), app.appId, Duration.ofSeconds(15));
        second.terminate();
        assertEquals(0, second.await(Duration.ofSeconds(60)), second.tail());
    }
}
