package io.streamnlp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer over output topics, from the beginning, without a consumer group: what
 * the demo, {@code eval} and the tests read the enriched events with.
 */
public final class EventCollector implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    public EventCollector(String bootstrap, Map<String, String> clientOverrides, Collection<String> topics) {
        this(bootstrap, clientOverrides, topics, false);
    }

    /** @param fromEnd skip what the topics already hold (reading a shared cluster's outputs) */
    public EventCollector(
            String bootstrap, Map<String, String> clientOverrides, Collection<String> topics, boolean fromEnd) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(clientOverrides);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(t, Duration.ofSeconds(30));
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(t, i.partition()));
            }
        }
        consumer.assign(parts);
        if (fromEnd) {
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve now, before anything new is produced
        } else {
            consumer.seekToBeginning(parts);
        }
    }

    /** One poll; what it returned is also kept in {@link #records()}. */
    public List<ConsumerRecord<byte[], byte[]>> pollOnce(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            got.add(r);
        }
        records.addAll(got);
        return got;
    }

    /** Polls until {@code done} holds for what was collected, or the timeout passes; returns whether it held. */
    public boolean collectUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(records)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                records.add(r);
            }
        }
        return true;
    }

    /** Polls for a while longer: what arrives now would be a duplicate or a stray. */
    public void drainFor(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                records.add(r);
            }
        }
    }

    public List<ConsumerRecord<byte[], byte[]>> records() {
        return records;
    }

    public List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    public static long count(List<ConsumerRecord<byte[], byte[]>> rs, String topic) {
        return rs.stream().filter(r -> r.topic().equals(topic)).count();
    }

    public static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException e) {
            throw new IllegalStateException("output record is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
