package io.streamnlp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.local.EventCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Offers the texts to an input topic (as fast as possible, or paced at a fixed rate) and measures at a
 * read_committed consumer of the output: records/s, real tokens/s, and end-to-end latency from the input
 * record's timestamp (set at send time; the topology keeps it on its outputs) to the output being visible.
 */
public final class LoadDriver {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records of at most this many tokens are "short": their latency is reported apart from the long ones'. */
    public static final int SHORT_TOKENS = 64;

    /**
     * One measured run.
     *
     * @param p99ShortMs end-to-end p99 of the records of at most {@link #SHORT_TOKENS} tokens (NaN: none)
     * @param p99LongMs  end-to-end p99 of the longer ones (NaN: none)
     * @param p99ShortInProcessorMs p99 of the short records' time inside the processor (arrival to event written, the
     *                              event's latencyMs; NaN: none): the rest of their end-to-end latency is the input's
     *                              way to the processor and the commit that makes the event visible
     */
    public record Measurement(
            int records,
            int received,
            double seconds,
            double recordsPerSec,
            double tokensPerSec,
            double p50Ms,
            double p95Ms,
            double p99Ms,
            double offeredPerSec,
            double p50InProcessorMs,
            double p99ShortMs,
            double p99LongMs,
            double p99ShortInProcessorMs) {}

    private final String bootstrap;
    private final String input;
    private final List<String> outputs;
    private final List<String> texts;
    private final int[] tokens;
    private int runs;
    /** Outputs seen since {@link #markAfter} was called, over every run since. */
    private int seenSinceMark;
    /** Outputs to see before {@link #mark} runs. */
    private int markAt;
    /** Runs once when {@link #markAt} outputs have been seen; null: none pending. */
    private IntConsumer mark;

    public LoadDriver(String bootstrap, String input, List<String> outputs, List<String> texts, int[] tokens) {
        this.bootstrap = bootstrap;
        this.input = input;
        this.outputs = outputs;
        this.texts = texts;
        this.tokens = tokens;
    }

    /**
     * Calls {@code action} once, on the consumer loop (the runs wait for it), as soon as the runs from now on have
     * seen {@code records} outputs: after the poll that brought the count to {@code records} or past it, with the
     * count then (every output of that poll was visible before the call). A later call replaces a pending one.
     */
    void markAfter(int records, IntConsumer action) {
        if (records < 1) {
            throw new IllegalArgumentException("a mark after at least one record: " + records);
        }
        seenSinceMark = 0;
        markAt = records;
        mark = action;
    }

    /** Runs the pending mark when its count has been reached. */
    private void markIfDue() {
        if (mark != null && seenSinceMark >= markAt) {
            IntConsumer m = mark;
            mark = null;
            m.accept(seenSinceMark);
        }
    }

    /**
     * Sends the first {@code count} texts (cycling) at {@code ratePerSec} (0: as fast as the producer goes)
     * and waits for one output per record on the first output topic (or the DLQ, the last).
     */
    public Measurement run(int count, double ratePerSec, Duration timeout) throws Exception {
        String prefix = "r" + (runs++) + "-" + System.nanoTime() + "-";
        try (EventCollector collector = new EventCollector(bootstrap, Map.of(), outputs, true)) {
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            AtomicLong firstSend = new AtomicLong();
            Thread sender = new Thread(
                    () -> {
                        try {
                            send(prefix, count, ratePerSec, firstSend);
                        } catch (Exception e) {
                            sendFailure.set(e);
                        }
                    },
                    "bench-producer");
            long t0 = System.nanoTime();
            sender.start();
            Set<String> seen = new HashSet<>();
            double[] latency = new double[count];
            double[] inProcessor = new double[count];
            boolean[] isShort = new boolean[count];
            long tokenSum = 0;
            long last = t0;
            long deadline = t0 + timeout.toNanos();
            String main = outputs.get(0);
            while (seen.size() < count && System.nanoTime() < deadline && sendFailure.get() == null) {
                List<ConsumerRecord<byte[], byte[]>> got = collector.pollOnce(Duration.ofMillis(20));
                long nowMs = System.currentTimeMillis();
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : got) {
                    if (r.key() == null) {
                        continue;
                    }
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (!key.startsWith(prefix)
                            || !(r.topic().equals(main) || r.topic().equals(outputs.get(outputs.size() - 1)))) {
                        continue;
                    }
                    if (seen.add(key)) {
                        int i = Integer.parseInt(key.substring(prefix.length()));
                        latency[seen.size() - 1] = Math.max(0, nowMs - r.timestamp());
                        inProcessor[seen.size() - 1] = processorLatency(r.value());
                        tokenSum += tokens[i % tokens.length];
                        isShort[seen.size() - 1] = tokens[i % tokens.length] <= SHORT_TOKENS;
                        last = now;
                        seenSinceMark++;
                    }
                }
                collector.records().clear();
                markIfDue();
            }
            sender.join();
            if (sendFailure.get() != null) {
                throw sendFailure.get();
            }
            int received = seen.size();
            double secs = Math.max(1e-9, (last - firstSend.get()) / 1e9);
            double[] lat = Arrays.copyOf(latency, received);
            return new Measurement(
                    count,
                    received,
                    secs,
                    received / secs,
                    tokenSum / secs,
                    Stats.percentile(lat, 50),
                    Stats.percentile(lat, 95),
                    Stats.percentile(lat, 99),
                    ratePerSec,
                    Stats.percentile(Arrays.copyOf(inProcessor, received), 50),
                    p99(lat, isShort, true),
                    p99(lat, isShort, false),
                    p99(Arrays.copyOf(inProcessor, received), isShort, true));
        }
    }

    private static double p99(double[] latency, boolean[] isShort, boolean wanted) {
        double[] part = IntStream.range(0, latency.length)
                .filter(i -> isShort[i] == wanted)
                .mapToDouble(i -> latency[i])
                .toArray();
        return part.length == 0 ? Double.NaN : Stats.percentile(part, 99);
    }

    /** The event's own latencyMs (arrival at the processor to the event being written), or 0. */
    private static double processorLatency(byte[] value) {
        try {
            return JSON.readTree(value).path("latencyMs").asDouble(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void send(String prefix, int count, double ratePerSec, AtomicLong firstSend) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, ratePerSec > 0 ? "0" : "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(1 << 20));
        List<byte[]> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", prefix + i);
            o.put("text", texts.get(i % texts.size()));
            values.add(o.toString().getBytes(StandardCharsets.UTF_8));
        }
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(input); // metadata before the clock starts
            long start = System.nanoTime();
            firstSend.set(start);
            for (int i = 0; i < count; i++) {
                if (ratePerSec > 0) {
                    long due = start + (long) (i * 1e9 / ratePerSec);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(input, null, System.currentTimeMillis(), key, values.get(i)));
            }
            producer.flush();
        }
    }
}
