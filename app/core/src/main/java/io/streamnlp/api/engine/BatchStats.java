package io.streamnlp.api.engine;

/**
 * Figures of one inference batch, exported as metrics and used by tests and the benchmark.
 *
 * @param documents      texts in the batch
 * @param sequences      model input rows (a long text is several windows)
 * @param buckets        length buckets (one session run per bucket and model)
 * @param realTokens     non-padding tokens fed to the model(s)
 * @param paddedTokens   tokens fed including padding (rows x padded length, summed over buckets)
 * @param inferenceNanos wall time spent inside ONNX Runtime sessions
 * @param lanes          inference lanes the batch ran on (each held for {@code inferenceNanos})
 */
public record BatchStats(
        int documents, int sequences, int buckets, long realTokens, long paddedTokens, long inferenceNanos, int lanes) {
    public BatchStats(
            int documents, int sequences, int buckets, long realTokens, long paddedTokens, long inferenceNanos) {
        this(documents, sequences, buckets, realTokens, paddedTokens, inferenceNanos, 1);
    }

    public double paddingRatio() {
        return realTokens == 0 ? 1.0 : (double) paddedTokens / realTokens;
    }
}
