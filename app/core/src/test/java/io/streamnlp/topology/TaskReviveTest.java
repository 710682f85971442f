package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task revived on the same processor object, through a real StreamTask (TopologyTestDriver): Kafka Streams'
 * closeDirtyAndRevive calls close() and later init() on the processor it already has. Two drivers in a row handing
 * out one processor object stand for that: the second's store is empty (wiped and restored from a changelog that
 * never got the first record), so its first record takes the sequence number the running batch's record had.
 */
class TaskReviveTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Properties props(Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "revive-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        return p;
    }

    @Test
    void aRealTaskRunsInitWithARecordContextInPlace() {
        // Why the MockProcessorContext tests set record metadata before init(): a real task has a dummy one there.
        AtomicBoolean present = new AtomicBoolean();
        Topology t = new Topology();
        t.addSource("s", "in");
        t.addProcessor(
                "p",
                () -> new Processor<Object, Object, Object, Object>() {
                    @Override
                    public void init(ProcessorContext<Object, Object> context) {
                        present.set(context.recordMetadata().isPresent());
                    }

                    @Override
                    public void process(Record<Object, Object> record) {}
                },
                "s");
        try (TopologyTestDriver d = new TopologyTestDriver(t, props(tmp.resolve("probe")))) {
            assertTrue(present.get(), "record metadata is present in init() of a real task");
        }
    }

    @Test
    void aRevivedTaskEmitsItsNewRecordWithItsOwnEntitiesNotTheOldBatchsResult() throws Exception {
        Settings settings = Settings.from(EnricherConfig.defaults());
        try (ControlledEngine engine = new ControlledEngine(
                        OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 2));
                CoordinatorRegistry registry = new CoordinatorRegistry(
                        engine, new BatchPolicy(1, 10_000, Duration.ofMillis(50)), (s, o, tr, q) -> {}, true)) {
            EnrichProcessor shared = new EnrichProcessor(settings, registry);
            AtomicInteger inits = new AtomicInteger();
            // Kafka insists that a supplier returns new objects: each is a new shell around the one shared processor,
            // so every task incarnation drives the same EnrichProcessor, as a revive does.
            Topology topology = EnricherTopology.build(settings, () -> new Processor<byte[], byte[], byte[], byte[]>() {
                @Override
                public void init(ProcessorContext<byte[], byte[]> context) {
                    inits.incrementAndGet();
                    shared.init(context);
                }

                @Override
                public void process(Record<byte[], byte[]> record) {
                    shared.process(record);
                }

                @Override
                public void close() {
                    shared.close();
                }
            });

            engine.holdNext();
            try (TopologyTestDriver first = new TopologyTestDriver(topology, props(tmp.resolve("s1")))) {
                first.createInputTopic(settings.topics().input(), new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput("k".getBytes(), "{\"id\":\"old\",\"text\":\"Angela Merkel\"}".getBytes());
                assertTrue(engine.awaitEntered(10_000), "the old record's batch is running");
            } // the task closes while its batch runs

            try (TopologyTestDriver second = new TopologyTestDriver(topology, props(tmp.resolve("s2")))) {
                // the old batch, held since holdNext(), finishes now, after the revive, where its result must be
                // ignored
                engine.release();
                second.createInputTopic(settings.topics().input(), new ByteArraySerializer(), new ByteArraySerializer())
                        .pipeInput("k".getBytes(), "{\"id\":\"new\",\"text\":\"Acme\"}".getBytes());
                var out = second.createOutputTopic(
                        settings.topics().entities(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
                // a callback never waits for a lane: the new record's batch may start only at a later tick, once the
                // old batch has let its lanes go
                List<byte[]> values = new ArrayList<>();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    assertTrue(registry.current().awaitInFlight(10_000));
                    second.advanceWallClockTime(Duration.ofMillis(100));
                    values.addAll(out.readValuesToList());
                }
                second.advanceWallClockTime(Duration.ofMillis(100));
                values.addAll(out.readValuesToList());
                List<JsonNode> events = values.stream()
                        .map(v -> {
                            try {
                                return JSON.readTree(v);
                            } catch (Exception e) {
                                throw new AssertionError(e);
                            }
                        })
                        .toList();
                assertEquals(
                        List.of("new"),
                        events.stream().map(n -> n.path("id").asText()).toList(),
                        "once, only the new record");
                assertEquals(
                        "ORG",
                        events.get(0).path("entities").get(0).path("label").asText(),
                        "its own entities: " + events);
                assertTrue(second.createOutputTopic(
                                settings.topics().dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer())
                        .isEmpty());
            }
            assertEquals(2, inits.get(), "one processor object, initialised twice");
        }
    }
}
