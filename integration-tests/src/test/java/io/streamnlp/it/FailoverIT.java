package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Processes in one application.id: a killed instance's partitions (and buffered records) move; SIGTERM is clean. */
@WithKafka
@ExtendWith(ChildJvm.KillAfterEach.class)
class FailoverIT {
    static TestBroker kafka;

    @TempDir
    static Path tmp;

    private static void produce(ProcessHarness.App app, List<ProcessHarness.Input> inputs, int burst, long pauseMs)
            throws InterruptedException {
        try (KafkaProducer<byte[], byte[]> prod = ProcessHarness.producer(kafka.bootstrapServers(), Map.of())) {
            int i = 0;
            for (ProcessHarness.Input in : inputs) {
                prod.send(in.record(app.topics.input()));
                if (++i % burst == 0) {
                    prod.flush();
                    Thread.sleep(pauseMs);
                }
            }
            prod.flush();
        }
    }

    private static Set<String> ids(List<ProcessHarness.Input> inputs, boolean bad) {
        Set<String> s = new TreeSet<>();
        inputs.stream().filter(i -> i.bad() == bad).forEach(i -> s.add(i.id()));
        return s;
    }

    private static int missing(ProcessHarness.Outcome o, Set<String> good, Set<String> bad) {
        return ProcessHarness.Outcome.missing(o.entities, good)
                + ProcessHarness.Outcome.missing(o.topics, good)
                + ProcessHarness.Outcome.missing(o.dlq, bad);
    }

    @Test
    void survivorTakesOverAKilledInstanceWithItsBufferedRecordsThenScalesBackToTwo(TestNames names) throws Exception {
        int partitions = 6;
        ProcessHarness.App app = new ProcessHarness.App(
                kafka,
                names,
                tmp,
                partitions,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "500",
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "5000",
                        ConfigKeys.BATCH_IDLE_MS,
                        "0"));
        List<ProcessHarness.Input> all = ProcessHarness.inputs("r", 2400, partitions, 30, 3L);
        List<ProcessHarness.Input> phase1 = all.subList(0, 800);
        List<ProcessHarness.Input> phase2 = all.subList(800, 1600);
        List<ProcessHarness.Input> phase3 = all.subList(1600, 2400);
        ChildJvm a = app.start("a", Map.of());
        ChildJvm b = app.start("b", Map.of());
        assertTrue(a.awaitRunning(Duration.ofSeconds(90)), a.tail());
        assertTrue(b.awaitRunning(Duration.ofSeconds(90)), b.tail());
        produce(app, phase1.subList(0, 600), 100, 200);
        ProcessHarness.collect(app, ids(phase1.subList(0, 500), false), Set.of(), Duration.ofSeconds(60));
        // one more burst, then kill A within max.wait (3 s): its records are still buffered, on every partition
        produce(app, phase1.subList(600, 800), 200, 0);
        Map<Integer, Integer> buffered = Map.of();
        long deadline = System.nanoTime() + Duration.ofMillis(2000).toNanos();
        while (buffered.size() < partitions && System.nanoTime() < deadline) {
            Thread.sleep(150);
            buffered = ProcessHarness.bufferedByPartition(kafka.bootstrapServers(), app.changelog());
        }
        a.kill();
        assertEquals(
                partitions,
                buffered.size(),
                "records buffered on every task, A's included, when A was killed: " + buffered);
        long killed = System.nanoTime();
        produce(app, phase2, 100, 100);
        List<ProcessHarness.Input> upTo2 = all.subList(0, 1600);
        ProcessHarness.Outcome afterKill =
                ProcessHarness.collect(app, ids(upTo2, false), ids(upTo2, true), Duration.ofSeconds(120));
        long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
        assertTrue(b.isAlive());
        assertEquals(
                0,
                missing(afterKill, ids(upTo2, false), ids(upTo2, true)),
                "B alone enriched everything, A's partitions too");
        assertEquals(0, afterKill.duplicates, "duplicates " + afterKill.duplicateIds);

        ChildJvm c = app.start("c", Map.of());
        assertTrue(c.awaitRunning(Duration.ofSeconds(90)), c.tail());
        produce(app, phase3, 100, 150);
        ProcessHarness.Outcome got =
                ProcessHarness.collect(app, ids(all, false), ids(all, true), Duration.ofSeconds(120));
        var live = Stores.awaitEmpty(kafka.bootstrapServers(), app.appId, Duration.ofSeconds(15));
        int missing = missing(got, ids(all, false), ids(all, true));
        System.out.println("rebalance test: buffered when A was killed=" + buffered + " takeover+phase2 " + takeoverMs
                + " ms; inputs="
                + all.size() + " entities=" + got.entities.size() + " topics=" + got.topics.size() + " dlq="
                + got.dlq.size()
                + " duplicates=" + got.duplicates + " missing=" + missing + " kills=1 stores at the end: "
                + Stores.describe(live));
        assertEquals(0, got.duplicates, "duplicates " + got.duplicateIds);
        assertEquals(0, missing);
        assertEquals(ids(all, false).size(), got.entities.size());
        assertEquals(ids(all, true).size(), got.dlq.size());
        Stores.assertEmpty(live);
        assertTrue(c.output().contains("-> RUNNING") && b.isAlive() && c.isAlive(), "two instances again");
        b.terminate();
        c.terminate();
        assertEquals(0, b.await(Duration.ofSeconds(60)), b.tail());
        assertEquals(0, c.await(Duration.ofSeconds(60)), c.tail());
    }

    @Test
    void sigtermLeavesBufferedRecordsForTheNextOwnerAndExitsZeroQuickly(TestNames names) throws Exception {
        int partitions = 3;
        // nothing flushes for 60 s: every record is still buffered when SIGTERM arrives
        ProcessHarness.App app = new ProcessHarness.App(
                kafka,
                names,
                tmp,
                partitions,
                Map.of(
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "100000",
                        ConfigKeys.BATCH_MAX_TOKENS,
                        "10000000",
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "60000",
                        ConfigKeys.BATCH_IDLE_MS,
                        "0",
                        ConfigKeys.TRANSACTION_TIMEOUT_MS,
                        "120000",
                        "kafka.consumer.max.poll.interval.ms",
                        "240000"));
        List<ProcessHarness.Input> inputs = ProcessHarness.inputs("t", 300, partitions, 20, 5L);
        ChildJvm p = app.start("p", Map.of());
        assertTrue(p.awaitRunning(Duration.ofSeconds(90)), p.tail());
        produce(app, inputs, 300, 0);
        int buffered = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int goodCount = ids(inputs, false).size();
        while (buffered < goodCount && System.nanoTime() < deadline) {
            Thread.sleep(500);
            buffered = ProcessHarness.bufferedInChangelog(kafka.bootstrapServers(), app.changelog());
        }
        assertEquals(goodCount, buffered, "every good record sits in the buffer store");
        long t0 = System.nanoTime();
        p.terminate(); // SIGTERM
        int code = p.await(Duration.ofSeconds(40));
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println(
                "clean shutdown: exit " + code + " after " + exitMs + " ms with " + buffered + " records buffered");
        assertEquals(0, code, p.tail());
        assertTrue(exitMs < 30_000, "exited in " + exitMs + " ms");
        assertTrue(p.output().contains("PENDING_SHUTDOWN -> NOT_RUNNING"), p.tail());

        ChildJvm next = app.start(
                "next",
                Map.of(
                        ConfigKeys.BATCH_MAX_WAIT_MS,
                        "50",
                        ConfigKeys.BATCH_MAX_RECORDS,
                        "32",
                        ConfigKeys.BATCH_MAX_TOKENS,
                        "8192"));
        assertTrue(next.awaitRunning(Duration.ofSeconds(90)), next.tail());
        ProcessHarness.Outcome got =
                ProcessHarness.collect(app, ids(inputs, false), ids(inputs, true), Duration.ofSeconds(90));
        var live = Stores.awaitEmpty(kafka.bootstrapServers(), app.appId, Duration.ofSeconds(15));
        next.terminate();
        assertEquals(0, next.await(Duration.ofSeconds(40)), next.tail());
        assertEquals(0, got.duplicates, "duplicates " + got.duplicateIds);
        assertEquals(0, missing(got, ids(inputs, false), ids(inputs, true)), "nothing lost after the restart");
        assertEquals(goodCount, got.entities.size());
        assertEquals(inputs.size() - goodCount, got.dlq.size());
        Stores.assertEmpty(live);
    }
}
