package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.streamnlp.topology.NodeNames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The invariant every fault test ends on: once every input has its events (or its dead letter), the processor's
 * buffer and partials stores hold no live entry. Read from the stores' changelog topics ({@code
 * <application.id>-<store>-changelog}) with read_committed, so it sees what a restore after a crash or a rebalance
 * would see: a key is live when its last committed record is a put (not a tombstone). An entry left there is a record
 * that a restore enriches and emits again (a duplicate); a partial result left there is picked up by a later record
 * that reuses its sequence number.
 */
final class Stores {
    private Stores() {}

    /** The stores a standalone processor keeps (the names of its changelog topics). */
    static final List<String> ALL = List.of(NodeNames.BUFFER_STORE, NodeNames.PARTIALS_STORE);

    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    /**
     * The live keys of a changelog in its committed state, as sequence numbers (the stores' keys are longs) by
     * partition (= task); null when there is no such topic.
     */
    static Map<Integer, TreeSet<Long>> live(String bootstrap, String changelog) {
        Map<Integer, Map<Long, Boolean>> last = new HashMap<>();
        if (!read(
                bootstrap,
                changelog,
                (partition, seq, put) ->
                        last.computeIfAbsent(partition, k -> new HashMap<>()).put(seq, put))) {
            return null;
        }
        Map<Integer, TreeSet<Long>> live = new TreeMap<>();
        last.forEach((partition, keys) -> keys.forEach((seq, put) -> {
            if (put) {
                live.computeIfAbsent(partition, k -> new TreeSet<>()).add(seq);
            }
        }));
        return live;
    }

    /** How many puts (not tombstones) a changelog holds in its committed state, compacted away or not; -1: no topic. */
    static int puts(String bootstrap, String changelog) {
        int[] n = {0};
        return read(bootstrap, changelog, (partition, seq, put) -> n[0] += put ? 1 : 0) ? n[0] : -1;
    }

    private interface Visitor {
        void record(int partition, long seq, boolean put);
    }

    /** Reads a changelog from its beginning to its last stable offset, read_committed; false when it does not exist. */
    private static boolean read(String bootstrap, String changelog, Visitor visitor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var infos = c.partitionsFor(changelog, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return false;
            }
            List<TopicPartition> parts = infos.stream()
                    .map(i -> new TopicPartition(changelog, i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts); // the last stable offsets, under read_committed
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + changelog + " to its end in 30 s");
                }
                for (var r : c.poll(Duration.ofMillis(200))) {
                    visitor.record(r.partition(), seq(r.key()), r.value() != null);
                }
            }
            return true;
        }
    }

    /** A store key (a long, big-endian, as Kafka's Long serde writes it). */
    private static long seq(byte[] key) {
        if (key == null || key.length != Long.BYTES) {
            throw new IllegalStateException("not a store key: " + (key == null ? "null" : key.length + " bytes"));
        }
        return ByteBuffer.wrap(key).getLong();
    }

    static int count(Map<Integer, TreeSet<Long>> live) {
        return live.values().stream().mapToInt(TreeSet::size).sum();
    }

    /** Live entries of each store of {@code applicationId}, in committed state: store -> partition -> sequences. */
    static Map<String, Map<Integer, TreeSet<Long>>> liveEntries(String bootstrap, String applicationId) {
        Map<String, Map<Integer, TreeSet<Long>>> all = new TreeMap<>();
        for (String store : ALL) {
            Map<Integer, TreeSet<Long>> live = live(bootstrap, changelog(applicationId, store));
            if (live == null) {
                throw new IllegalStateException("no changelog topic " + changelog(applicationId, store)
                        + ": not the application.id of a processor that ran?");
            }
            all.put(store, live);
        }
        return all;
    }

    /**
     * Asserts that the buffer and partials stores of {@code applicationId} hold no live entry: call it once every input
     * has its events. The last deletes are committed with the last events, so this holds at once; it polls until
     * {@code timeout} all the same, to let a processor that is still committing finish. Fails with the number of live
     * entries per store and a few of their sequence numbers per partition.
     */
    static void assertEmpty(String bootstrap, String applicationId, Duration timeout) throws InterruptedException {
        assertEmpty(awaitEmpty(bootstrap, applicationId, timeout));
    }

    /** Fails on live entries found by {@link #awaitEmpty} (read while the processor ran, asserted later). */
    static void assertEmpty(Map<String, Map<Integer, TreeSet<Long>>> live) {
        if (!empty(live)) {
            fail("once every input had its events, the stores still hold live entries (records a restore would"
                    + " enrich and emit again): " + describe(live));
        }
    }

    /** The live entries of the stores of {@code applicationId}, polled until there is none or {@code timeout} passes. */
    static Map<String, Map<Integer, TreeSet<Long>>> awaitEmpty(String bootstrap, String applicationId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Map<Integer, TreeSet<Long>>> live = liveEntries(bootstrap, applicationId);
            if (empty(live) || System.nanoTime() > deadline) {
                return live;
            }
            Thread.sleep(500);
        }
    }

    static boolean empty(Map<String, Map<Integer, TreeSet<Long>>> live) {
        return live.values().stream().allMatch(m -> count(m) == 0);
    }

    /** "batch-buffer: 12 live (partition 3: seqs [355, 357, ...]); batch-partials: 0 live". */
    static String describe(Map<String, Map<Integer, TreeSet<Long>>> live) {
        List<String> parts = new ArrayList<>();
        live.forEach((store, byPartition) -> {
            StringBuilder s = new StringBuilder(store + ": " + count(byPartition) + " live");
            List<String> shown = new ArrayList<>();
            byPartition.forEach((partition, seqs) -> {
                List<Long> few = seqs.stream().limit(6).toList();
                shown.add("partition " + partition + ": " + seqs.size() + ", seqs " + few
                        + (seqs.size() > few.size() ? "..." : ""));
            });
            if (!shown.isEmpty()) {
                s.append(" (").append(String.join("; ", shown)).append(")");
            }
            parts.add(s.toString());
        });
        return String.join("; ", parts);
    }
}
