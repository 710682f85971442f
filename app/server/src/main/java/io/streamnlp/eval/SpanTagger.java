package io.streamnlp.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps the character offsets a pipeline emitted back onto a file's tokens, as IOB2 tags: a token
 * belongs to an entity when their code-point ranges overlap; the entity's first such token is B-.
 */
public final class SpanTagger {
    /** One emitted entity: code-point offsets (end exclusive) and its type. */
    public record Span(int start, int end, String label) {}

    private SpanTagger() {}

    /** The entities of an event's {@code entities} array. */
    public static List<Span> spans(JsonNode entities) {
        List<Span> out = new ArrayList<>();
        for (JsonNode e : entities) {
            out.add(new Span(
                    e.path("start").asInt(),
                    e.path("end").asInt(),
                    e.path("label").asText()));
        }
        return out;
    }

    public static List<String> tags(ConllDocument.Sentence s, JsonNode entities) {
        return tags(s, spans(entities));
    }

    public static List<String> tags(ConllDocument.Sentence s, List<Span> entities) {
        int n = s.tokens().size();
        int[] starts = s.starts();
        String[] tags = new String[n];
        Arrays.fill(tags, "O");
        for (Span e : entities) {
            boolean first = true;
            for (int i = 0; i < n; i++) {
                int ts = starts[i];
                int te = ts
                        + s.tokens().get(i).codePointCount(0, s.tokens().get(i).length());
                if (ts < e.end() && e.start() < te) {
                    if (tags[i].equals("O")) {
                        tags[i] = (first ? "B-" : "I-") + e.label();
                    }
                    first = false;
                }
            }
        }
        return new ArrayList<>(Arrays.asList(tags));
    }
}
