package io.streamnlp.topology;

import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The finished segments of a document still being enriched, as kept in the changelogged partials store: the segment
 * cuts (so a restore re-runs exactly the missing segments, whatever the configuration is now) and each finished
 * segment's entities (offsets already in the whole text) and topic probabilities with their weight. Merging them
 * gives the document's enrichment: entities in order, and the topic of the token-weighted mean of the segments'
 * log-probabilities, which is the softmax of their weighted mean logits (softmax ignores each segment's shift).
 */
final class PartialResults {
    /** One finished segment: its enrichment in whole-text offsets, and its weight (content tokens). */
    record Segment(Enrichment enrichment, int weight) {}

    /** Which record these segments belong to ({@link #fingerprint}): a restore uses them for that record only. */
    private final long owner;

    private int[] cuts;
    private Segment[] done;

    PartialResults(int[] cuts, long owner) {
        this.cuts = cuts;
        this.done = new Segment[cuts.length];
        this.owner = owner;
    }

    /**
     * A record's identity for its partial results: where it was read (topic, partition, offset) and its text's length.
     * A partials entry is keyed by the buffer's sequence number, which another record may take after a restore; the
     * fingerprint keeps one record's finished segments from being merged into another's events.
     */
    static long fingerprint(String topic, int partition, long offset, String text) {
        long h = 1125899906842597L;
        for (int i = 0; i < topic.length(); i++) {
            h = 31 * h + topic.charAt(i);
        }
        h = 31 * h + partition;
        h = 31 * h + offset;
        return 31 * h + text.length();
    }

    /** Segments in the document. */
    int count() {
        return cuts.length;
    }

    /** Char offset in the whole text where segment {@code k} starts. */
    int start(int k) {
        return cuts[k];
    }

    boolean isDone(int k) {
        return done[k] != null;
    }

    /** Segment {@code k}'s result (whole-text offsets), or null while it is unfinished. */
    Segment result(int k) {
        return done[k];
    }

    /**
     * Replaces unfinished segment {@code k} by several (their starts, in the whole text, the first being segment k's):
     * for a stretch denser in tokens than the whole text's average, whose segment came out over budget.
     */
    void split(int k, int[] starts) {
        if (done[k] != null || starts.length < 2 || starts[0] != cuts[k]) {
            throw new IllegalArgumentException("cannot split segment " + k);
        }
        int extra = starts.length - 1;
        int[] c = new int[cuts.length + extra];
        Segment[] d = new Segment[cuts.length + extra];
        System.arraycopy(cuts, 0, c, 0, k);
        System.arraycopy(done, 0, d, 0, k);
        System.arraycopy(starts, 0, c, k, starts.length);
        System.arraycopy(cuts, k + 1, c, k + starts.length, cuts.length - k - 1);
        System.arraycopy(done, k + 1, d, k + starts.length, cuts.length - k - 1);
        cuts = c;
        done = d;
    }

    int finished() {
        int n = 0;
        for (Segment s : done) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }

    boolean complete() {
        return finished() == cuts.length;
    }

    /** Code-point offset of segment {@code k} in {@code text}. */
    int cpStart(String text, int k) {
        return text.codePointCount(0, cuts[k]);
    }

    String segmentText(String text, int k) {
        return text.substring(cuts[k], k + 1 < cuts.length ? cuts[k + 1] : text.length());
    }

    /** Records segment {@code k}'s result, its entity offsets moved from the segment to the whole text. */
    void finish(int k, Enrichment e, int cpShift, int weight) {
        List<Entity> ents = null;
        if (e.entities() != null) {
            ents = new ArrayList<>(e.entities().size());
            for (Entity x : e.entities()) {
                ents.add(new Entity(x.text(), x.label(), x.start() + cpShift, x.end() + cpShift, x.score()));
            }
        }
        done[k] = new Segment(new Enrichment(ents, e.topic()), Math.max(1, weight));
    }

    /** The whole document's enrichment (every segment finished). */
    Enrichment merge() {
        List<Entity> ents = null;
        Map<String, Double> logSum = null;
        double weights = 0;
        for (Segment s : done) {
            Enrichment e = s.enrichment();
            if (e.entities() != null) {
                if (ents == null) {
                    ents = new ArrayList<>();
                }
                ents.addAll(e.entities());
            }
            if (e.topic() != null) {
                if (logSum == null) {
                    logSum = new LinkedHashMap<>();
                }
                for (Map.Entry<String, Double> p : e.topic().scores().entrySet()) {
                    logSum.merge(p.getKey(), s.weight() * Math.log(Math.max(p.getValue(), 1e-300)), Double::sum);
                }
                weights += s.weight();
            }
        }
        return new Enrichment(ents, logSum == null ? null : softmax(logSum, weights));
    }

    private static TopicPrediction softmax(Map<String, Double> logSum, double weights) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logSum.values()) {
            max = Math.max(max, v / weights);
        }
        double z = 0;
        Map<String, Double> p = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : logSum.entrySet()) {
            double x = Math.exp(e.getValue() / weights - max);
            p.put(e.getKey(), x);
            z += x;
        }
        String best = null;
        for (Map.Entry<String, Double> e : p.entrySet()) {
            e.setValue(e.getValue() / z);
            if (best == null || e.getValue() > p.get(best)) {
                best = e.getKey();
            }
        }
        return new TopicPrediction(best, p.get(best), p);
    }

    /** This document's entry in the partials store ({@link PartialsFormat}). */
    byte[] serialize() {
        return PartialsFormat.write(this);
    }

    /** See {@link PartialsFormat#read}. */
    static PartialResults deserialize(byte[] data, String text, long owner) {
        return PartialsFormat.read(data, text, owner);
    }

    /** The record these segments belong to ({@link #fingerprint}). */
    long owner() {
        return owner;
    }

    /** Sets segment {@code k}'s result as read back from the store. */
    void restore(int k, Segment s) {
        done[k] = s;
    }
}
