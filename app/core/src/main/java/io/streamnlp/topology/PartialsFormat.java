package io.streamnlp.topology;

import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import io.streamnlp.api.event.TopicPrediction;
import io.streamnlp.topology.PartialResults.Segment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The partials store's value format: format byte, the owner's fingerprint, the segment cuts, then per segment whether
 * it finished and, if so, its weight, its entities (code-point offsets in the whole text, label, score) and its topic
 * scores.
 */
final class PartialsFormat {
    /** Format 2 adds the owner's fingerprint; format 1 entries are dropped at restore (their segments re-run). */
    private static final int FORMAT = 2;

    private PartialsFormat() {}

    static byte[] write(PartialResults r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(r.owner());
            out.writeInt(r.count());
            for (int k = 0; k < r.count(); k++) {
                out.writeInt(r.start(k));
            }
            for (int k = 0; k < r.count(); k++) {
                Segment s = r.result(k);
                out.writeBoolean(s != null);
                if (s == null) {
                    continue;
                }
                out.writeInt(s.weight());
                List<Entity> ents = s.enrichment().entities();
                out.writeInt(ents == null ? -1 : ents.size());
                if (ents != null) {
                    for (Entity e : ents) {
                        out.writeInt(e.start());
                        out.writeInt(e.end());
                        out.writeUTF(e.label());
                        out.writeDouble(e.score());
                    }
                }
                TopicPrediction t = s.enrichment().topic();
                out.writeInt(t == null ? -1 : t.scores().size());
                if (t != null) {
                    for (Map.Entry<String, Double> p : t.scores().entrySet()) {
                        out.writeUTF(p.getKey());
                        out.writeDouble(p.getValue());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The finished segments kept for the record with fingerprint {@code owner}, or null when the entry belongs to
     * another record (or is of format 1, which names none): the record's segments are then all run again.
     *
     * @param text the document, for the entities' text (stored as offsets only)
     */
    static PartialResults read(byte[] data, String text, long owner) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readByte();
            if (format == 1) {
                return null;
            }
            if (format != FORMAT) {
                throw new IllegalStateException("unknown partial results format " + format);
            }
            if (in.readLong() != owner) {
                return null;
            }
            int[] cuts = new int[in.readInt()];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = in.readInt();
            }
            PartialResults r = new PartialResults(cuts, owner);
            for (int k = 0; k < cuts.length; k++) {
                if (!in.readBoolean()) {
                    continue;
                }
                int weight = in.readInt();
                int ne = in.readInt();
                List<Entity> ents = null;
                if (ne >= 0) {
                    ents = new ArrayList<>(ne);
                    for (int i = 0; i < ne; i++) {
                        int s = in.readInt();
                        int e = in.readInt();
                        String label = in.readUTF();
                        double score = in.readDouble();
                        ents.add(new Entity(slice(text, s, e), label, s, e, score));
                    }
                }
                int nt = in.readInt();
                TopicPrediction t = null;
                if (nt >= 0) {
                    Map<String, Double> p = new LinkedHashMap<>();
                    String best = null;
                    for (int i = 0; i < nt; i++) {
                        String l = in.readUTF();
                        double v = in.readDouble();
                        p.put(l, v);
                        if (best == null || v > p.get(best)) {
                            best = l;
                        }
                    }
                    t = new TopicPrediction(best, p.get(best), p);
                }
                r.restore(k, new Segment(new Enrichment(ents, t), weight));
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String slice(String text, int cpStart, int cpEnd) {
        int a = text.offsetByCodePoints(0, cpStart);
        return text.substring(a, text.offsetByCodePoints(a, cpEnd - cpStart));
    }
}
