package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.api.dlq.DeadLetters;
import io.streamnlp.batching.BatchPolicy;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.fixtures.ControlledEngine;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.inference.EngineOptions;
import io.streamnlp.inference.OnnxEnrichmentEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor against a model of what Kafka Streams does under {@code exactly_once_v2}: records are delivered in
 * offset order, a commit makes the stores, the forwarded events and the input position durable together at any point
 * between callbacks, and a crash rolls all three back to the last commit (the store is restored from its changelog,
 * uncommitted events are aborted, the input is read again from the committed offset) before a new processor takes the
 * task. Random keys (several per partition), short records, long documents cut into segments over several batches,
 * records that fail to parse or tokenize, and random commits, revives and crashes. What must hold:
 *
 * <ul>
 *   <li>after every callback, every record read so far is either still in the buffer store or forwarded (its events
 *       or its dead letter), never both and never neither: the entry deleted is the one forwarded;</li>
 *   <li>in the committed output, every input has its events (both tasks) or one dead letter, exactly once;</li>
 *   <li>each key's events are in its input order;</li>
 *   <li>once every input is committed, the buffer and partials stores are empty.</li>
 * </ul>
 *
 * The engine is the real deterministic lexicon bundle, inline (no inference threads), so a run is reproducible from
 * jqwik's seed.
 */
class ExactlyOnceModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "text.input";
    private static final String[] WORDS = {"Angela", "Merkel", "visited", "Paris", "and", "Acme", "today", "with"};

    private static Path dir;
    private static ControlledEngine engine;

    @BeforeContainer
    static void openEngine() throws IOException {
        dir = Files.createTempDirectory("eos-model");
        engine = new ControlledEngine(OnnxEnrichmentEngine.open(EngineOptions.of(LexiconBundle.write(dir)), 1));
        engine.unencodableMarker = "UNENCODABLE";
    }

    @AfterContainer
    static void closeEngine() throws IOException {
        engine.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    enum Kind {
        SHORT,
        LONG,
        NOT_JSON,
        NO_CONTENT,
        UNENCODABLE
    }

    record Input(int key, Kind kind, int words) {}

    enum Op {
        SEND,
        TICK,
        COMMIT,
        REVIVE,
        CRASH
    }

    @Provide
    Arbitrary<List<Input>> inputs() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(Kind.SHORT)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(Kind.LONG)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.NOT_JSON)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.NO_CONTENT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.UNENCODABLE)));
        return Combinators.combine(
                        Arbitraries.integers().between(0, 3),
                        kinds,
                        Arbitraries.integers().between(1, 9))
                .as(Input::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(10, Arbitraries.just(Op.SEND)),
                        net.jqwik.api.Tuple.of(4, Arbitraries.just(Op.TICK)),
                        net.jqwik.api.Tuple.of(3, Arbitraries.just(Op.COMMIT)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Op.REVIVE)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Op.CRASH)))
                .list()
                .ofMaxSize(80);
    }

    @Property(tries = 150)
    void everyRecordIsForwardedOnceInKeyOrderAndNothingStaysBehind(
            @ForAll("inputs") List<Input> inputs,
            @ForAll("ops") List<Op> ops,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 6) int maxRecords) {
        new Run(inputs, maxRecords).play(ops);
    }

    /** One task's life under the model: the processor, its stores and the transaction state around them. */
    private static final class Run {
        final List<byte[]> values = new ArrayList<>();
        final List<Input> inputs;
        final BatchPolicy policy;
        final MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        final KeyValueStore<Long, byte[]> store = store(NodeNames.BUFFER_STORE);
        final KeyValueStore<Long, byte[]> partials = store(NodeNames.PARTIALS_STORE);

        /** Forwarded since the last commit (aborted by a crash), and committed. */
        final List<Out> open = new ArrayList<>();

        final List<Out> committed = new ArrayList<>();
        int position; // next input offset to read
        int committedPosition;
        Map<Long, byte[]> committedStore = new TreeMap<>();
        Map<Long, byte[]> committedPartials = new TreeMap<>();

        CoordinatorRegistry registry;
        EnrichProcessor processor;

        Run(List<Input> inputs, int maxRecords) {
            this.inputs = inputs;
            // small token budget: a LONG record is cut into several segments, inferred in separate batches
            this.policy = new BatchPolicy(maxRecords, 48, Duration.ZERO, Duration.ZERO);
            for (int i = 0; i < inputs.size(); i++) {
                values.add(value(i, inputs.get(i)));
            }
            start();
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

        void start() {
            registry = new CoordinatorRegistry(engine, policy, (s, o, t, q) -> {}, false);
            processor = new EnrichProcessor(Settings.from(EnricherConfig.defaults()), registry);
            context.setRecordMetadata(TOPIC, 0, 0);
            processor.init(context);
            collect();
        }

        void play(List<Op> ops) {
            try {
                for (Op op : ops) {
                    step(op);
                }
                while (position < inputs.size()) {
                    step(Op.SEND);
                }
                for (int i = 0; i < 200 && (count(store) > 0 || !open.isEmpty()); i++) {
                    step(Op.TICK);
                    step(Op.COMMIT);
                }
                step(Op.COMMIT);
                checkCommitted();
            } finally {
                processor.close();
                registry.close();
            }
        }

        void step(Op op) {
            switch (op) {
                case SEND -> {
                    if (position < inputs.size()) {
                        int offset = position++;
                        context.setRecordMetadata(TOPIC, 0, offset);
                        processor.process(new Record<>(
                                ("k" + inputs.get(offset).key()).getBytes(StandardCharsets.UTF_8),
                                values.get(offset),
                                1_000L + offset));
                    }
                }
                case TICK -> {
                    var punctuators = context.scheduledPunctuators();
                    punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(System.currentTimeMillis());
                }
                case COMMIT -> {
                    committed.addAll(open);
                    open.clear();
                    committedPosition = position;
                    committedStore = contents(store);
                    committedPartials = contents(partials);
                }
                case REVIVE -> {
                    // a clean close (suspend, commit, close) and the task assigned here again
                    step(Op.COMMIT);
                    processor.close();
                    registry.close();
                    start();
                }
                case CRASH -> {
                    // the process dies: the transaction is aborted, the stores restored from the changelogs
                    processor.close();
                    registry.close();
                    open.clear();
                    position = committedPosition;
                    reset(store, committedStore);
                    reset(partials, committedPartials);
                    context.resetForwards();
                    start();
                }
            }
            collect();
            checkBufferedOrForwarded();
        }

        /** Moves what the processor forwarded into this transaction's output. */
        void collect() {
            for (var f : context.forwarded()) {
                open.add(Out.of(f.childName().orElseThrow(), f.record()));
            }
            context.resetForwards();
        }

        /** Every record read is in the store or forwarded: not both, not neither. */
        void checkBufferedOrForwarded() {
            Set<Long> stored = new TreeSet<>();
            try (var it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<Long, byte[]> kv = it.next();
                    long offset = StoredRecord.deserialize(kv.value).offset();
                    assertTrue(stored.add(offset), "offset " + offset + " is in the store twice");
                }
            }
            Map<Long, Integer> forwarded = new HashMap<>();
            for (Out o : committed) {
                forwarded.merge(o.offset, 1, Integer::sum);
            }
            for (Out o : open) {
                forwarded.merge(o.offset, 1, Integer::sum);
            }
            for (long offset = 0; offset < position; offset++) {
                boolean inStore = stored.contains(offset);
                boolean out = forwarded.containsKey(offset);
                assertTrue(
                        inStore != out,
                        "record " + offset + " (" + inputs.get((int) offset) + ") is "
                                + (inStore ? "both in the store and forwarded" : "neither in the store nor forwarded")
                                + "; store holds " + stored + ", read " + position);
            }
            for (long offset : stored) {
                assertTrue(offset < position, "the store holds offset " + offset + " not read yet");
            }
        }

        void checkCommitted() {
            Map<Long, List<String>> byOffset = new TreeMap<>();
            for (Out o : committed) {
                byOffset.computeIfAbsent(o.offset, k -> new ArrayList<>()).add(o.child);
            }
            for (int offset = 0; offset < inputs.size(); offset++) {
                Input in = inputs.get(offset);
                List<String> got = byOffset.getOrDefault((long) offset, List.of());
                List<String> want = switch (in.kind()) {
                    case SHORT, LONG -> List.of(NodeNames.ENTITIES_SINK, NodeNames.TOPICS_SINK);
                    default -> List.of(NodeNames.DLQ_SINK);
                };
                assertEquals(want, got, "the committed output of record " + offset + " (" + in + ")");
            }
            Map<String, List<Long>> perKey = new LinkedHashMap<>();
            for (Out o : committed) {
                if (o.child.equals(NodeNames.ENTITIES_SINK)) {
                    perKey.computeIfAbsent(o.key, k -> new ArrayList<>()).add(o.offset);
                }
            }
            for (var e : perKey.entrySet()) {
                List<Long> sorted = new ArrayList<>(e.getValue());
                sorted.sort(null);
                assertEquals(sorted, e.getValue(), "key " + e.getKey() + "'s events in input order");
            }
            assertEquals(
                    0,
                    count(store),
                    "the buffer store is empty at the end: " + contents(store).keySet());
            assertEquals(
                    0,
                    count(partials),
                    "the partials store is empty at the end: "
                            + contents(partials).keySet());
        }
    }

    /** One forwarded record: where it went, its key and the input offset it stands for. */
    record Out(String child, String key, long offset) {
        static Out of(String child, Record<? extends byte[], ? extends byte[]> r) {
            String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            if (child.equals(NodeNames.DLQ_SINK)) {
                Header h = r.headers().lastHeader(DeadLetters.SOURCE_OFFSET);
                return new Out(child, key, Long.parseLong(new String(h.value(), StandardCharsets.UTF_8)));
            }
            try {
                JsonNode event = JSON.readTree(r.value());
                return new Out(
                        child, key, Long.parseLong(event.path("id").asText().substring(1)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static byte[] value(int offset, Input in) {
        String id = "r" + offset;
        String text = switch (in.kind()) {
            case SHORT -> words(offset, in.words());
            case LONG -> sentences(offset, 4 + in.words());
            case NOT_JSON -> null;
            case NO_CONTENT -> "\u200B\u200B";
            case UNENCODABLE -> words(offset, in.words()) + " UNENCODABLE";
        };
        if (text == null) {
            return ("{\"id\":\"" + id + "\", not json").getBytes(StandardCharsets.UTF_8);
        }
        return JSON.createObjectNode()
                .put("id", id)
                .put("text", text)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String words(int seed, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[(seed * 7 + i * 3) % WORDS.length]);
        }
        return b.toString();
    }

    /** Several sentences, well over the test policy's token budget: cut into segments. */
    private static String sentences(int seed, int n) {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < n; s++) {
            b.append(s == 0 ? "" : " ").append(words(seed + s, 8)).append('.');
        }
        return b.toString();
    }

    static long count(KeyValueStore<Long, byte[]> s) {
        return contents(s).size();
    }

    static Map<Long, byte[]> contents(KeyValueStore<Long, byte[]> s) {
        Map<Long, byte[]> m = new TreeMap<>();
        try (var it = s.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                m.put(kv.key, kv.value);
            }
        }
        return m;
    }

    static void reset(KeyValueStore<Long, byte[]> s, Map<Long, byte[]> to) {
        for (Long k : contents(s).keySet()) {
            s.delete(k);
        }
        to.forEach(s::put);
    }
}
