package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** Output that cannot be written, and a shutdown that outlasts its timeout, against a real broker. */
@WithKafka
class LifecycleIT {
    static TestBroker kafka;

    private static String appId(Pipeline p) {
        return p.config.get(ConfigKeys.APPLICATION_ID);
    }

    @Test
    void anEntityDenseRecordWhoseEventExceedsTheTopicLimitGoesToTheDlqAndTheStreamGoesOn(TestNames names)
            throws Exception {
        Path bundle = ItBundles.lexiconBundle();
        try (Pipeline p = new Pipeline(kafka, names, bundle, 1, Map.of(ConfigKeys.BATCH_MAX_WAIT_MS, "100"))) {
            // the broker's default-sized topic (1 MiB); the producer itself would accept 16 MiB
            kafka.setTopicConfig(p.topics.entities(), "max.message.bytes", Integer.toString(1 << 20));
            p.start();
            // 240,000 bytes in (under input.max.bytes), 40,000 LOC entities out: an event of about 3 MB
            String dense = "Paris ".repeat(40_000).trim();
            byte[] value = ("{\"id\":\"dense\",\"text\":\"" + dense + "\"}").getBytes(StandardCharsets.UTF_8);
            p.send(0, "dense", value);
            for (int i = 0; i < 5; i++) {
                p.send("after" + i, "Paris " + i);
            }
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= 5
                                        && EventCollector.count(rs, p.topics.dlq()) >= 1,
                                Duration.ofSeconds(120)),
                        "got " + c.records().size());
                c.drainFor(Duration.ofSeconds(1));
                var dlq = c.records(p.topics.dlq());
                assertEquals(1, dlq.size());
                assertEquals("OUTPUT_TOO_LARGE", ProcessHarness.header(dlq.get(0), DeadLetters.ERROR));
                assertArrayEquals(value, dlq.get(0).value(), "original bytes");
                System.out.println("output too large: " + ProcessHarness.header(dlq.get(0), DeadLetters.REASON));
                Set<String> ids = new TreeSet<>();
                for (var r : c.records(p.topics.entities())) {
                    ids.add(EventCollector.json(r).path("id").asText());
                }
                assertEquals(
                        new TreeSet<>(Set.of("after0", "after1", "after2", "after3", "after4")),
                        ids,
                        "the records after it are enriched");
                assertFalse(
                        c.records(p.topics.topics()).stream()
                                .anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals("dense")),
                        "no topic event either: a record gets all its events or a dead letter");
            }
            Stores.assertEmpty(kafka.bootstrapServers(), appId(p), Duration.ofSeconds(15));
            assertEquals(KafkaStreams.State.RUNNING, p.app.streams().state(), "the processor keeps running");
        }
    }

    @Test
    void aShutdownThatTimesOutLeavesTheEngineOpenAndDeadLettersNothing(TestNames names) throws Exception {
        Path bundle = ItBundles.lexiconBundle();
        AtomicReference<ControlledEngine> held = new AtomicReference<>();
        Map<String, String> cfg = Map.of(ConfigKeys.BATCH_MAX_WAIT_MS, "50", ConfigKeys.INFERENCE_OVERLAP, "false");
        try (Pipeline p = new Pipeline(kafka, names, bundle, 1, cfg)) {
            p.start(e -> {
                ControlledEngine c = new ControlledEngine(e);
                held.set(c);
                return c;
            });
            held.get().holdNext();
            for (int i = 0; i < 5; i++) {
                p.send("r" + i, "Paris " + i);
            }
            p.flush();
            assertTrue(held.get().awaitEntered(60_000), "a batch is running on the stream thread");
            boolean clean = p.app.close(Duration.ofMillis(500));
            assertFalse(clean, "the stream thread is still inside its batch");
            assertFalse(held.get().closed, "the engine stays open while a stream thread may use it");
            held.get().release();
            try (EventCollector c = p.collector()) {
                c.drainFor(Duration.ofSeconds(5));
                assertEquals(0, c.records(p.topics.dlq()).size(), "no good record dead-lettered by the shutdown");
                // whatever the closing thread committed is correct; the rest is re-run by the next owner
                Pipeline next = new Pipeline(p);
                try (next) {
                    next.start();
                    assertTrue(c.collectUntil(
                            rs -> EventCollector.count(rs, p.topics.entities()) >= 5, Duration.ofSeconds(60)));
                    c.drainFor(Duration.ofSeconds(2));
                    Set<String> ids = new TreeSet<>();
                    for (var r : c.records(p.topics.entities())) {
                        JsonNode ev = EventCollector.json(r);
                        assertTrue(ids.add(ev.path("id").asText()), "once: " + ev);
                    }
                    assertEquals(5, ids.size());
                    assertEquals(0, c.records(p.topics.dlq()).size());
                    Stores.assertEmpty(kafka.bootstrapServers(), appId(p), Duration.ofSeconds(15));
                }
            }
            p.app = null; // closed above
        }
    }

    @Test
    void aBrokenEngineStopsTheStreamWithNothingDeadLetteredAndARestartEnrichesEveryRecordOnce(TestNames names)
            throws Exception {
        Path bundle = ItBundles.lexiconBundle();
        Map<String, String> cfg = Map.of(ConfigKeys.BATCH_MAX_WAIT_MS, "50");
        try (Pipeline p = new Pipeline(kafka, names, bundle, 2, cfg)) {
            AtomicReference<ControlledEngine> engine = new AtomicReference<>();
            p.start(e -> {
                engine.set(new ControlledEngine(e));
                return engine.get();
            });
            // the device breaks after the start-up check (which would refuse to start on a broken engine)
            engine.get().failAll = () -> new IllegalStateException("CUDA failure 999: unspecified launch failure");
            for (int i = 0; i < 20; i++) {
                p.send("r" + i, "Paris " + i);
            }
            p.flush();
            assertTrue(p.app.awaitStop(Duration.ofSeconds(60)), "the stream stops on an engine failure");
            assertTrue(
                    p.app.failed() || p.app.streams().state() == KafkaStreams.State.NOT_RUNNING,
                    p.app.streams().state().toString());
            try (EventCollector c = p.collector()) {
                c.drainFor(Duration.ofSeconds(3));
                assertEquals(0, c.records(p.topics.dlq()).size(), "no record dead-lettered for the engine's failure");
                assertEquals(0, c.records(p.topics.entities()).size(), "nothing committed");
                try (Pipeline next = new Pipeline(p)) {
                    next.start(); // a healthy engine: every record is retried and enriched once
                    assertTrue(c.collectUntil(
                            rs -> EventCollector.count(rs, p.topics.entities()) >= 20, Duration.ofSeconds(60)));
                    c.drainFor(Duration.ofSeconds(2));
                    Set<String> ids = new TreeSet<>();
                    for (var r : c.records(p.topics.entities())) {
                        assertTrue(ids.add(EventCollector.json(r).path("id").asText()), "once");
                    }
                    assertEquals(20, ids.size());
                    assertEquals(0, c.records(p.topics.dlq()).size());
                    Stores.assertEmpty(kafka.bootstrapServers(), appId(p), Duration.ofSeconds(15));
                }
            }
        }
    }

    @Test
    void aStaticMemberLeavesTheGroupAtOnceAfterAFatalError(TestNames names) throws Exception {
        // a session far longer than the test waits: only an explicit leave empties the group in time
        Map<String, String> cfg =
                Map.of(ConfigKeys.BATCH_MAX_WAIT_MS, "50", "kafka.consumer.session.timeout.ms", "45000");
        try (Pipeline p = new Pipeline(kafka, names, ItBundles.lexiconBundle(), 2, cfg)) {
            AtomicReference<ControlledEngine> engine = new AtomicReference<>();
            p.start(e -> {
                engine.set(new ControlledEngine(e));
                return engine.get();
            });
            engine.get().failAll = () -> new IllegalStateException("CUDA failure 999: unspecified launch failure");
            p.send("r", "Paris");
            p.flush();
            assertTrue(p.app.awaitStop(Duration.ofSeconds(60)), "the stream stops on an engine failure");
            assertTrue(p.app.failed(), p.app.streams().state().toString());
            assertTrue(p.app.close(Duration.ofSeconds(10)));
            String group = p.config.get(ConfigKeys.APPLICATION_ID);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int members;
                do {
                    members = admin.describeConsumerGroups(List.of(group))
                            .all()
                            .get()
                            .get(group)
                            .members()
                            .size();
                } while (members > 0 && System.nanoTime() < deadline && sleep(200));
                assertEquals(0, members, "the failed instance left the group; its partitions need not wait 45 s");
            }
            p.app = null; // closed above
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }
}
