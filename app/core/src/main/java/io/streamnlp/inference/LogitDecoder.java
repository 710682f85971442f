package io.streamnlp.inference;

import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import io.streamnlp.decode.SpanDecoder;
import io.streamnlp.decode.TopicDecoder;
import io.streamnlp.decode.WordLabeler;
import io.streamnlp.model.Aggregation;
import io.streamnlp.model.ModelBundle;
import io.streamnlp.tokenize.EncodedText;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Turns a batch's logits into results: gathers each row's logits from the bucket outputs back to its document and
 * window, then labels words and groups them into entities, and turns summed topic logits into a prediction (both
 * in {@code decode/}). Threads: gathering keeps no state; {@link #entities} uses the given lane's scratch, so calls
 * on disjoint lanes may run in parallel.
 */
final class LogitDecoder {
    private final SpanDecoder spanDecoder;
    private final TopicDecoder topicDecoder;
    private final int nerLabels;
    private final int topicLabels;
    /** Decoding scratch per lane, reused across batches. */
    private final Scratch[] scratch;

    /**
     * @param ner         the NER task, or null
     * @param aggregation how sub-tokens decide a word's label (with NER)
     * @param topic       the topic task, or null
     * @param lanes       lanes whose calls may decode side by side
     */
    LogitDecoder(ModelBundle.Task ner, Aggregation aggregation, ModelBundle.Task topic, int lanes) {
        this.nerLabels = ner != null ? ner.labels().size() : 0;
        this.spanDecoder = ner != null ? new SpanDecoder(ner.labels(), ner.scheme()) : null;
        this.topicLabels = topic != null ? topic.labels().size() : 0;
        this.topicDecoder = topic != null ? new TopicDecoder(topic.labels()) : null;
        this.scratch = new Scratch[lanes];
        for (int i = 0; i < lanes; i++) {
            scratch[i] = new Scratch(ner != null ? new WordLabeler(nerLabels, aggregation) : null);
        }
    }

    /**
     * Per document, per window, the content tokens' NER logits from output {@code output} ({@code prefix}: special
     * tokens before the content in each row).
     */
    float[][][] nerLogits(BucketPlan plan, LaneOutputs outs, EncodedText[] texts, String output, int prefix) {
        float[][][] logits = new float[texts.length][][];
        for (int d = 0; d < texts.length; d++) {
            logits[d] = new float[texts[d].windowCount()][];
        }
        for (int pi = 0; pi < plan.parts().size(); pi++) {
            BucketPlan.Slice part = plan.parts().get(pi);
            FloatBuffer fb = outs.part(pi).floats(output);
            for (int i = 0; i < part.count(); i++) {
                int row = part.from() + i;
                EncodedText et = texts[plan.document(row)];
                int k = plan.window(row);
                float[] window = new float[(et.windowEnd(k) - et.windowStart(k)) * nerLabels];
                fb.position((i * part.width() + prefix) * nerLabels);
                fb.get(window);
                logits[plan.document(row)][k] = window;
            }
        }
        return logits;
    }

    /** Per document, its windows' topic logits from output {@code output}, summed. */
    double[][] topicSums(BucketPlan plan, LaneOutputs outs, int documents, String output) {
        double[][] sums = new double[documents][topicLabels];
        for (int pi = 0; pi < plan.parts().size(); pi++) {
            BucketPlan.Slice part = plan.parts().get(pi);
            FloatBuffer fb = outs.part(pi).floats(output);
            for (int i = 0; i < part.count(); i++) {
                double[] sum = sums[plan.document(part.from() + i)];
                for (int j = 0; j < topicLabels; j++) {
                    sum[j] += fb.get(i * topicLabels + j);
                }
            }
        }
        return sums;
    }

    /** Labels each word from its best window ({@link EncodedText#bestWindow}), then groups words into entities. */
    List<Entity> entities(int lane, EncodedText et, float[][] windowLogits) {
        Scratch sc = scratch[lane];
        int words = et.wordCount();
        if (sc.wordLabel.length < words) {
            sc.wordLabel = new int[Math.max(words, sc.wordLabel.length * 2)];
            sc.wordProb = new double[sc.wordLabel.length];
        }
        int[] wordLabel = sc.wordLabel;
        double[] wordProb = sc.wordProb;
        for (int w = 0; w < words; w++) {
            int a = et.wordTokenStart(w);
            int best = et.bestWindow(w);
            int ws = et.windowStart(best);
            int tokens = Math.min(et.wordTokenEnd(w), et.windowEnd(best)) - a;
            wordLabel[w] = sc.labeler.decide(windowLogits[best], (a - ws) * nerLabels, tokens);
            wordProb[w] = sc.labeler.probability();
        }
        return spanDecoder.decode(et.text(), words, wordLabel, wordProb, et.wordStarts(), et.wordEnds());
    }

    /** The topic prediction from a document's summed logits over its {@code windows} windows. */
    TopicPrediction topic(double[] sums, int windows) {
        return topicDecoder.predict(sums, windows);
    }

    /** Per lane: the word-level decoding state {@link #entities} reuses. */
    private static final class Scratch {
        final WordLabeler labeler;
        int[] wordLabel = new int[256];
        double[] wordProb = new double[256];

        Scratch(WordLabeler labeler) {
            this.labeler = labeler;
        }
    }
}
