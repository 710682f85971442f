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
    private SpanTagger() {}

    public static List<String> tags(ConllDocument.Sentence s, JsonNode entities) {
        int n = s.tokens().size();
        int[] starts = s.starts();
        String[] tags = new String[n];
        Arrays.fill(tags, "O");
        for (JsonNode e : entities) {
            int start = e.path("start").asInt();
            int end = e.path("end").asInt();
            String label = e.path("label").asText();
            boolean first = true;
            for (int i = 0; i < n; i++) {
                int ts = starts[i];
                int te = ts + s.tokens().get(i).codePointCount(0, s.tokens().get(i).length());
                if (ts < end && start < te) {
                    if (tags[i].equals("O")) {
                        tags[i] = (first ? "B-" : "I-") + label;
                    }
                    first = false;
                }
            }
        }
        return new ArrayList<>(Arrays.asList(tags));
    }
}
