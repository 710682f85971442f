package io.streamnlp.inference;

import io.streamnlp.api.engine.Device;
import io.streamnlp.model.Aggregation;
import java.nio.file.Path;

/**
 * How to open an {@link OnnxEnrichmentEngine}.
 *
 * @param nerBundle      bundle folder serving NER, or null to disable NER
 * @param topicBundle    bundle folder serving topics, or null to disable topics (may equal nerBundle: one pass)
 * @param device         CPU, CUDA or AUTO
 * @param intraOpThreads ONNX Runtime intra-op threads, 0 for its default
 * @param interOpThreads ONNX Runtime inter-op threads, 0 for its default
 * @param aggregation    how sub-tokens decide a word's label, or null for the bundle's default
 * @param maxBucketRows  most rows per session run
 */
public record EngineOptions(
        Path nerBundle,
        Path topicBundle,
        Device device,
        int intraOpThreads,
        int interOpThreads,
        Aggregation aggregation,
        int maxBucketRows) {
    public EngineOptions {
        if (nerBundle == null && topicBundle == null) {
            throw new IllegalArgumentException("no model bundle: enable NER, topics or both");
        }
        if (device == null) {
            device = Device.CPU;
        }
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("thread counts must be >= 0");
        }
        if (maxBucketRows <= 0) {
            throw new IllegalArgumentException("maxBucketRows must be > 0, got " + maxBucketRows);
        }
    }

    /** One bundle serving both tasks on CPU with ORT's default threads, the bundle's aggregation, 64-row buckets. */
    public static EngineOptions of(Path bundle) {
        return new EngineOptions(bundle, bundle, Device.CPU, 0, 0, null, 64);
    }

    public EngineOptions withNerBundle(Path bundle) {
        return new EngineOptions(
                bundle, topicBundle, device, intraOpThreads, interOpThreads, aggregation, maxBucketRows);
    }

    public EngineOptions withTopicBundle(Path bundle) {
        return new EngineOptions(nerBundle, bundle, device, intraOpThreads, interOpThreads, aggregation, maxBucketRows);
    }

    public EngineOptions withDevice(Device d) {
        return new EngineOptions(nerBundle, topicBundle, d, intraOpThreads, interOpThreads, aggregation, maxBucketRows);
    }

    public EngineOptions withAggregation(Aggregation a) {
        return new EngineOptions(nerBundle, topicBundle, device, intraOpThreads, interOpThreads, a, maxBucketRows);
    }

    public EngineOptions withMaxBucketRows(int rows) {
        return new EngineOptions(nerBundle, topicBundle, device, intraOpThreads, interOpThreads, aggregation, rows);
    }
}
