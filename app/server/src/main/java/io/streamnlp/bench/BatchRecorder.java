package io.streamnlp.bench;

import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.batching.BatchListener;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Collects the coordinator's batches (via the {@link BatchListener} hook) between two {@link #reset()}s. */
public final class BatchRecorder implements BatchListener {
    /** What the batches of one phase looked like. */
    public record Summary(
            int batches,
            long documents,
            long realTokens,
            long paddedTokens,
            double meanBatch,
            double meanFill,
            double medianInferenceMs,
            double p95QueueMs,
            Map<Trigger, Integer> triggers,
            double laneSeconds,
            double p99InferenceMs) {
        /** Padded tokens ÷ real tokens (1.0: no padding). */
        public double paddingRatio() {
            return realTokens == 0 ? 1.0 : (double) paddedTokens / realTokens;
        }
    }

    private final int maxRecords;
    private final int maxTokens;
    private final List<BatchStats> stats = new ArrayList<>();
    private final List<Long> queue = new ArrayList<>();
    private final Map<Trigger, Integer> triggers = new EnumMap<>(Trigger.class);

    public BatchRecorder(int maxRecords, int maxTokens) {
        this.maxRecords = maxRecords;
        this.maxTokens = maxTokens;
    }

    @Override
    public synchronized void onBatch(BatchStats s, int owners, Trigger trigger, long queueNanos) {
        stats.add(s);
        queue.add(queueNanos);
        triggers.merge(trigger, 1, Integer::sum);
    }

    public synchronized void reset() {
        stats.clear();
        queue.clear();
        triggers.clear();
    }

    public synchronized Summary summary() {
        long docs = 0;
        long real = 0;
        long padded = 0;
        double fill = 0;
        double[] ms = new double[stats.size()];
        for (int i = 0; i < stats.size(); i++) {
            BatchStats s = stats.get(i);
            docs += s.documents();
            real += s.realTokens();
            padded += s.paddedTokens();
            // fill: how close the batch came to the limit that binds first
            fill += Math.min(1.0, Math.max((double) s.documents() / maxRecords, (double) s.realTokens() / maxTokens));
            ms[i] = s.inferenceNanos() / 1e6;
        }
        double laneSeconds = 0;
        for (BatchStats s : stats) {
            laneSeconds += s.inferenceNanos() / 1e9 * s.lanes();
        }
        double[] q = queue.stream().mapToDouble(n -> n / 1e6).toArray();
        int n = stats.size();
        return new Summary(
                n,
                docs,
                real,
                padded,
                n == 0 ? 0 : (double) docs / n,
                n == 0 ? 0 : fill / n,
                Stats.percentile(ms, 50),
                Stats.percentile(q, 95),
                new EnumMap<>(triggers),
                laneSeconds,
                Stats.percentile(ms, 99));
    }
}
