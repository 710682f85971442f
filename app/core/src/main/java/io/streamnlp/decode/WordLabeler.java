package io.streamnlp.decode;

import io.streamnlp.model.Aggregation;
import java.util.Arrays;

/**
 * Decides a word's label from its sub-tokens' logits (rows of {@code labels} floats, row-major) by an
 * {@link Aggregation}. Holds scratch arrays: one instance per thread.
 */
public final class WordLabeler {
    private final int labels;
    private final Aggregation aggregation;
    private final double[] probs;
    private final double[] sum;
    private double probability;

    public WordLabeler(int labels, Aggregation aggregation) {
        this.labels = labels;
        this.aggregation = aggregation;
        this.probs = new double[labels];
        this.sum = new double[labels];
    }

    /**
     * The label index of a word whose {@code tokens} sub-tokens start at {@code offset} in {@code logits};
     * {@link #probability()} then gives its probability.
     */
    public int decide(float[] logits, int offset, int tokens) {
        switch (aggregation) {
            case FIRST -> {
                softmax(logits, offset, probs);
                return argmaxInto(probs);
            }
            case AVERAGE -> {
                Arrays.fill(sum, 0);
                for (int t = 0; t < tokens; t++) {
                    softmax(logits, offset + t * labels, probs);
                    for (int j = 0; j < labels; j++) {
                        sum[j] += probs[j];
                    }
                }
                for (int j = 0; j < labels; j++) {
                    sum[j] /= tokens;
                }
                return argmaxInto(sum);
            }
            case MAX -> {
                int best = 0;
                double bestP = -1;
                for (int t = 0; t < tokens; t++) {
                    softmax(logits, offset + t * labels, probs);
                    int j = argmaxInto(probs);
                    if (probability > bestP) {
                        bestP = probability;
                        best = j;
                    }
                }
                probability = bestP;
                return best;
            }
            default -> throw new IllegalStateException(aggregation.toString());
        }
    }

    /** Probability of the label the last {@link #decide} chose. */
    public double probability() {
        return probability;
    }

    private int argmaxInto(double[] p) {
        int best = 0;
        for (int j = 1; j < labels; j++) {
            if (p[j] > p[best]) {
                best = j;
            }
        }
        probability = p[best];
        return best;
    }

    /** Numerically stable softmax of {@code out.length} logits starting at {@code offset}. */
    static void softmax(float[] logits, int offset, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < out.length; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double z = 0;
        for (int j = 0; j < out.length; j++) {
            out[j] = Math.exp(logits[offset + j] - max);
            z += out[j];
        }
        for (int j = 0; j < out.length; j++) {
            out[j] /= z;
        }
    }
}
