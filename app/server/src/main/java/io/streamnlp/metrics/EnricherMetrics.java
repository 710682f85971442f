package io.streamnlp.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.Topics;
import io.streamnlp.inference.InferenceCpu;
import io.streamnlp.topology.RecordMetrics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The processor's own metrics: records in/out per topic, dead letters by reason, and per batch its
 * size, real and padded tokens, inference and queue time, and what triggered it. Counters of every
 * DLQ reason and batch trigger are registered at zero so dashboards and alerts see the series before
 * the first event. Under exactly-once a transaction that aborts is re-processed, so counts are of
 * attempts, not of committed records.
 */
public final class EnricherMetrics implements BatchListener, RecordMetrics {
    public static final String RECORDS_IN = "streamnlp.records.in";
    public static final String RECORDS_OUT = "streamnlp.records.out";
    public static final String DLQ = "streamnlp.dlq.records";
    public static final String BATCH_SIZE = "streamnlp.batch.size";
    public static final String BATCHES = "streamnlp.batches";
    public static final String TOKENS_REAL = "streamnlp.tokens.real";
    public static final String TOKENS_PADDED = "streamnlp.tokens.padded";
    public static final String PADDING_RATIO = "streamnlp.padding.ratio";
    public static final String INFERENCE_TIME = "streamnlp.inference.time";
    public static final String QUEUE_TIME = "streamnlp.queue.time";
    public static final String INFERENCE_FAILURES = "streamnlp.inference.failures";
    /** CPU seconds inside ONNX Runtime session runs (Prometheus: streamnlp_inference_cpu_seconds_total). */
    public static final String INFERENCE_CPU = "streamnlp.inference.cpu";
    /** Records held in the batch buffer stores of this instance's tasks (Prometheus: streamnlp_buffer_records). */
    public static final String BUFFER_RECORDS = "streamnlp.buffer.records";
    /** Entries held in the partials stores of this instance's tasks (Prometheus: streamnlp_partials_records). */
    public static final String PARTIALS_RECORDS = "streamnlp.partials.records";

    private final MeterRegistry registry;
    private final Map<String, Counter> in = new ConcurrentHashMap<>();
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Map<RejectReason, Counter> dlq = new EnumMap<>(RejectReason.class);
    private final Map<Trigger, Counter> triggers = new EnumMap<>(Trigger.class);
    private final DistributionSummary batchSize;
    private final Counter realTokens;
    private final Counter paddedTokens;
    private final DoubleAdder realSum = new DoubleAdder();
    private final DoubleAdder paddedSum = new DoubleAdder();
    private final Timer inferenceTime;
    private final Timer queueTime;
    private final Counter inferenceFailures;
    private final Counter dlqOut;
    /** Per task: {buffer, partials} as last reported; a task that reports 0/0 (or closed) has no entry. */
    private final Map<String, int[]> storeSizes = new ConcurrentHashMap<>();

    public EnricherMetrics(MeterRegistry registry, Topics topics) {
        this.registry = registry;
        counter(in, RECORDS_IN, topics.input(), "Records read from the input topic");
        for (String t : new String[] {topics.entities(), topics.topics(), topics.dlq()}) {
            counter(out, RECORDS_OUT, t, "Records written to an output topic");
        }
        dlqOut = out.get(topics.dlq());
        for (RejectReason r : RejectReason.values()) {
            dlq.put(
                    r,
                    Counter.builder(DLQ)
                            .description("Records dead-lettered, by reason")
                            .tag("reason", r.name())
                            .register(registry));
        }
        for (Trigger t : Trigger.values()) {
            triggers.put(
                    t,
                    Counter.builder(BATCHES)
                            .description("Inference batches, by what flushed them")
                            .tag("trigger", t.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
        batchSize = DistributionSummary.builder(BATCH_SIZE)
                .baseUnit("records")
                .description("Records per inference batch")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
                .register(registry);
        realTokens = Counter.builder(TOKENS_REAL)
                .description("Non-padding tokens fed to the models")
                .register(registry);
        paddedTokens = Counter.builder(TOKENS_PADDED)
                .description("Tokens fed to the models, padding included")
                .register(registry);
        // Padded / real tokens since start: 1.0 means no padding waste.
        Gauge.builder(PADDING_RATIO, this, m -> m.realSum.sum() == 0 ? 1.0 : m.paddedSum.sum() / m.realSum.sum())
                .description("Padded tokens per real token since start")
                .register(registry);
        inferenceTime = Timer.builder(INFERENCE_TIME)
                .description("Time inside ONNX Runtime per batch")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        queueTime = Timer.builder(QUEUE_TIME)
                .description("How long a batch's oldest record waited before inference")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        FunctionCounter.builder(INFERENCE_CPU, InferenceCpu.class, c -> InferenceCpu.seconds())
                .baseUnit("seconds")
                .description(
                        "CPU time of the threads running ONNX Runtime sessions, inside their runs (set it against process CPU time)")
                .register(registry);
        Gauge.builder(BUFFER_RECORDS, this, m -> m.storeTotal(0))
                .description("Records held in the batch buffer stores of this instance's tasks (not yet forwarded)")
                .register(registry);
        Gauge.builder(PARTIALS_RECORDS, this, m -> m.storeTotal(1))
                .description("Finished segments of long documents held in the partials stores of this instance's tasks")
                .register(registry);
        inferenceFailures = Counter.builder(INFERENCE_FAILURES)
                .description("Batches whose inference threw (then split to isolate the bad records)")
                .register(registry);
    }

    private Counter counter(Map<String, Counter> cache, String name, String topic, String description) {
        return cache.computeIfAbsent(
                topic,
                t -> Counter.builder(name)
                        .description(description)
                        .tag("topic", t)
                        .register(registry));
    }

    @Override
    public void received(String topic) {
        counter(in, RECORDS_IN, topic, "Records read from the input topic").increment();
    }

    @Override
    public void emitted(String topic) {
        counter(out, RECORDS_OUT, topic, "Records written to an output topic").increment();
    }

    @Override
    public void deadLettered(RejectReason reason) {
        dlq.get(reason).increment();
        dlqOut.increment(); // the DLQ is an output topic too: records out add up to records in
    }

    @Override
    public void storeSizes(String taskId, int bufferRecords, int partialRecords) {
        if (bufferRecords == 0 && partialRecords == 0) {
            storeSizes.remove(taskId);
        } else {
            storeSizes.put(taskId, new int[] {bufferRecords, partialRecords});
        }
    }

    private double storeTotal(int which) {
        long n = 0;
        for (int[] sizes : storeSizes.values()) {
            n += sizes[which];
        }
        return n;
    }

    @Override
    public void onBatch(BatchStats stats, int owners, Trigger trigger, long queueNanos) {
        triggers.get(trigger).increment();
        batchSize.record(stats.documents());
        realTokens.increment(stats.realTokens());
        paddedTokens.increment(stats.paddedTokens());
        realSum.add(stats.realTokens());
        paddedSum.add(stats.paddedTokens());
        inferenceTime.record(stats.inferenceNanos(), TimeUnit.NANOSECONDS);
        queueTime.record(Math.max(0, queueNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onInferenceFailure(int batchSize, Exception error) {
        inferenceFailures.increment();
    }
}
