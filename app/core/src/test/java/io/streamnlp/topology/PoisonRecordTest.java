package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identical poison records that make the engine fail every time look to the breaker like a broken engine, so the
 * stream stops on them: after they stopped it {@link StopLog#LIMIT} times (on this instance, counted in the task's state
 * folder), they are dead-lettered as {@code INFERENCE_FAILED} and the stream goes on.
 */
class PoisonRecordTest {
    @TempDir
    Path tmp;

    @Test
    void recordsThatStoppedTheStreamThreeTimesAreDeadLetteredAndTheStreamGoesOn() {
        ControlledEngine engine = new ControlledEngine(
                OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(tmp.resolve("lexicon"))), 1));
        engine.poisonMarker = "POISON";
        try {
            for (int run = 1; run <= StopLog.LIMIT; run++) {
                Run r = new Run(engine);
                assertThrows(EngineFailureException.class, r::sendAll, "run " + run + " stops on the poison");
                r.close();
            }
            Run r = new Run(engine);
            r.sendAll();
            assertEquals(List.of("INFERENCE_FAILED", "INFERENCE_FAILED", "INFERENCE_FAILED"), r.dlq());
            assertEquals(1, r.count(NodeNames.ENTITIES_SINK), "the good record is enriched");
            assertEquals(0, r.store.approximateNumEntries());
            r.close();
        } finally {
            engine.close();
        }
    }

    /**
     * One life of the task after a crash: the stores hold what was committed (nothing: every record was read in the
     * transaction that the stop aborted), the records are read again, the state folder is the same.
     */
    private final class Run {
        final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>(
                new Properties(), new TaskId(0, 0), tmp.resolve("state").toFile());
        final KeyValueStore<Long, byte[]> store = store(NodeNames.BUFFER_STORE);
        final CoordinatorRegistry registry;
        final EnrichProcessor processor;

        Run(ControlledEngine engine) {
            store(NodeNames.PARTIALS_STORE);
            registry = new CoordinatorRegistry(
                    engine, new BatchPolicy(3, 10_000, Duration.ZERO), (s, o, t, q) -> {}, false);
            processor = new EnrichProcessor(Settings.from(EnricherConfig.defaults()), registry);
            processor.init(context);
        }

        KeyValueStore<Long, byte[]> store(String name) {
            KeyValueStore<Long, byte[]> s = Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
                    .withLoggingDisabled()
                    .build();
            s.init(context.getStateStoreContext(), s);
            context.addStateStore(s);
            return s;
        }

        void sendAll() {
            for (int i = 0; i < 3; i++) {
                send(i, "p" + i, "POISON text");
            }
            send(3, "ok", "Paris");
            var punctuators = context.scheduledPunctuators();
            for (int i = 0; i < 3; i++) {
                punctuators.get(0).getPunctuator().punctuate(System.currentTimeMillis());
            }
        }

        void send(long offset, String key, String text) {
            context.setRecordMetadata("text.input", 0, offset);
            processor.process(new Record<>(
                    key.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8), 1000L + offset));
        }

        List<String> dlq() {
            return context.forwarded().stream()
                    .filter(f -> f.childName().orElse("").equals(NodeNames.DLQ_SINK))
                    .map(f -> new String(
                            f.record().headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8))
                    .toList();
        }

        long count(String child) {
            return context.forwarded().stream()
                    .filter(f -> f.childName().orElse("").equals(child))
                    .count();
        }

        void close() {
            processor.close();
            registry.close();
        }
    }
}
