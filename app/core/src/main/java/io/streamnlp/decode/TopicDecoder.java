package io.streamnlp.decode;

import io.streamnlp.api.event.TopicPrediction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A text's topic from its windows' sequence logits: average the logits, then softmax. */
public final class TopicDecoder {
    private final List<String> labels;

    public TopicDecoder(List<String> labels) {
        this.labels = List.copyOf(labels);
    }

    /**
     * @param summedLogits the sum of the windows' logits, one per label
     * @param windows      how many windows were summed
     */
    public TopicPrediction predict(double[] summedLogits, int windows) {
        int n = labels.size();
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, summedLogits[j] / windows);
        }
        double[] p = new double[n];
        double z = 0;
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(summedLogits[j] / windows - max);
            z += p[j];
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        int best = 0;
        for (int j = 0; j < n; j++) {
            p[j] /= z;
            scores.put(labels.get(j), p[j]);
            if (p[j] > p[best]) {
                best = j;
            }
        }
        return new TopicPrediction(labels.get(best), p[best], scores);
    }
}
