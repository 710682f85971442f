package io.streamnlp.topology;

import io.streamnlp.batching.CoordinatorRegistry;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's one topology: input topic → {@link EnrichProcessor} (with its changelogged batch
 * buffer) → entities / topics / dead-letter sinks. Built by a static method so that the app, the demo
 * and the tests all run the same graph. The same processor and stores can be added to a user's own topology
 * ({@link #addTo(StreamsBuilder, KStream, Settings, CoordinatorRegistry, RecordMetrics)}), under prefixed names.
 */
public final class EnricherTopology {
    private EnricherTopology() {}

    public static Topology build(Settings settings, CoordinatorRegistry registry) {
        return build(settings, registry, RecordMetrics.NONE);
    }

    public static Topology build(Settings settings, CoordinatorRegistry registry, RecordMetrics metrics) {
        return build(settings, () -> new EnrichProcessor(settings, registry, metrics));
    }

    /** The topology with the given processors (tests hand out one object again and again, as a revived task sees). */
    static Topology build(Settings settings, ProcessorSupplier<byte[], byte[], byte[], byte[]> processors) {
        Topology t = new Topology();
        t.addSource(
                NodeNames.SOURCE,
                Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer(),
                settings.topics().input());
        t.addProcessor(NodeNames.ENRICH, processors, NodeNames.SOURCE);
        t.addStateStore(bufferStore(settings, NodeNames.BUFFER_STORE), NodeNames.ENRICH);
        t.addStateStore(partialsStore(settings, NodeNames.PARTIALS_STORE), NodeNames.ENRICH);
        if (settings.nerEnabled()) {
            t.addSink(
                    NodeNames.ENTITIES_SINK,
                    settings.topics().entities(),
                    Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer(),
                    NodeNames.ENRICH);
        }
        if (settings.topicEnabled()) {
            t.addSink(
                    NodeNames.TOPICS_SINK,
                    settings.topics().topics(),
                    Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer(),
                    NodeNames.ENRICH);
        }
        t.addSink(
                NodeNames.DLQ_SINK,
                settings.topics().dlq(),
                Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(),
                NodeNames.ENRICH);
        return t;
    }

    /** The enrichment's three outputs in a user's topology: DSL streams, or processor names to attach sinks to. */
    public record Outputs<T>(T entities, T topics, T deadLetters) {}

    /**
     * Adds the processor and its stores to a DSL topology, fed by {@code input}. Its outputs are pass-through nodes
     * (the processor forwards each event to one of them by name), so each stream carries only its own events; the
     * entity stream stays empty with NER off, the topic stream with topics off.
     */
    public static Outputs<KStream<byte[], byte[]>> addTo(
            StreamsBuilder builder,
            KStream<byte[], byte[]> input,
            Settings settings,
            CoordinatorRegistry registry,
            RecordMetrics metrics) {
        return addTo(builder, input, settings, registry, metrics, null);
    }

    /** As above, under names that carry {@code name} (null: the unnamed enrichment's names). */
    public static Outputs<KStream<byte[], byte[]>> addTo(
            StreamsBuilder builder,
            KStream<byte[], byte[]> input,
            Settings settings,
            CoordinatorRegistry registry,
            RecordMetrics metrics,
            String name) {
        NodeNames n = claim(builder, name);
        builder.addStateStore(bufferStore(settings, n.buffer()));
        builder.addStateStore(partialsStore(settings, n.partials()));
        KStream<byte[], byte[]> out = input.process(
                () -> new RefusesDroppingHandlers(new EnrichProcessor(settings, registry, metrics, n)),
                Named.as(n.enrich()),
                n.buffer(),
                n.partials());
        return new Outputs<>(
                out.peek((k, v) -> {}, Named.as(n.entities())),
                out.peek((k, v) -> {}, Named.as(n.topics())),
                out.peek((k, v) -> {}, Named.as(n.deadLetters())));
    }

    /** As above for a Processor API topology: the processor reads from {@code parents}; returns its outputs' names. */
    public static Outputs<String> addTo(
            Topology topology,
            Settings settings,
            CoordinatorRegistry registry,
            RecordMetrics metrics,
            String... parents) {
        return addTo(topology, settings, registry, metrics, null, parents);
    }

    /** As above, under names that carry {@code name} (null: the unnamed enrichment's names). */
    public static Outputs<String> addTo(
            Topology topology,
            Settings settings,
            CoordinatorRegistry registry,
            RecordMetrics metrics,
            String name,
            String... parents) {
        NodeNames n = claim(topology, name);
        topology.addProcessor(
                n.enrich(),
                () -> new RefusesDroppingHandlers(new EnrichProcessor(settings, registry, metrics, n)),
                parents);
        topology.addStateStore(bufferStore(settings, n.buffer()), n.enrich());
        topology.addStateStore(partialsStore(settings, n.partials()), n.enrich());
        for (String output : new String[] {n.entities(), n.topics(), n.deadLetters()}) {
            topology.addProcessor(output, PassThrough::new, n.enrich());
        }
        return new Outputs<>(n.entities(), n.topics(), n.deadLetters());
    }

    /** Fails (IllegalArgumentException) when {@code name} cannot name an embedded enrichment. */
    public static void checkName(String name) {
        NodeNames.embedded(name);
    }

    /** The enrichment names already in each user topology (a builder or a Topology; held weakly, by identity). */
    private static final Map<Object, Set<String>> NAMES_IN_USE = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The names of an enrichment called {@code name} in {@code topology}, failing with the fix when one of that name is
     * already there (Kafka Streams would only say that a store of the same name exists, at build time).
     */
    private static NodeNames claim(Object topology, String name) {
        NodeNames n = NodeNames.embedded(name);
        Set<String> used = NAMES_IN_USE.computeIfAbsent(topology, t -> Collections.synchronizedSet(new HashSet<>()));
        if (!used.add(n.enrich())) {
            throw new IllegalStateException(
                    (name == null ? "an unnamed enrichment" : "an enrichment named '" + name + "'")
                            + " is already in this topology: give each enrichment in one topology a name of its own, e.g."
                            + " StreamNlp.enrichment(config).named(\"orders\") (its nodes and stores, and so its changelog"
                            + " topics, carry the name)");
        }
        return n;
    }

    /**
     * The embedded enrichment's processor, which first checks the user's Kafka Streams settings: a continuing exception
     * handler would lose records ({@link StreamsSettings#refuseDroppingHandlers}), so the task fails to start, naming
     * the key. (The standalone app checks its own settings before it starts.)
     */
    private static final class RefusesDroppingHandlers implements Processor<byte[], byte[], byte[], byte[]> {
        private final Processor<byte[], byte[], byte[], byte[]> delegate;

        RefusesDroppingHandlers(Processor<byte[], byte[], byte[], byte[]> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            StreamsSettings.refuseDroppingHandlers(context.appConfigs(), "");
            delegate.init(context);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            delegate.process(record);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Forwards every record as it is: a named output of the processor that a user's nodes attach to. */
    private static final class PassThrough implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            context.forward(record);
        }
    }

    /**
     * Changelogged, so a crash or rebalance restores the buffered records on the task's next owner. Caching coalesces
     * the put+delete of a record flushed within one commit interval, so most never reach the store or its changelog.
     * Persistent (RocksDB) rather than in memory for one more reason: with a persistent store Kafka Streams keeps its
     * process id in state.dir, so a restarted instance has the crashed one's transactional ids and fences its open
     * transaction at once, instead of every read_committed reader waiting out transaction.timeout.ms.
     */
    static StoreBuilder<KeyValueStore<Long, byte[]>> bufferStore(Settings settings, String name) {
        long maxMessage = settings.maxRecordBytes();
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of("max.message.bytes", Long.toString(maxMessage)));
    }

    /** Like the buffer: in memory, changelogged, cached (a document finished within a commit never reaches it). */
    static StoreBuilder<KeyValueStore<Long, byte[]>> partialsStore(Settings settings, String name) {
        long maxMessage = settings.maxRecordBytes();
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of("max.message.bytes", Long.toString(maxMessage)));
    }
}
