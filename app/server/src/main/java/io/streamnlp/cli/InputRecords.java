package io.streamnlp.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.eval.ConllDocument;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code produce} publishes, read from a file's text: JSON lines (sent as they are), plain text
 * lines, or CoNLL (one JSON record per sentence, tokens joined by spaces). A bad line fails the whole
 * read with its line number, before anything is sent.
 */
final class InputRecords {
    enum Format {
        AUTO,
        JSON,
        TEXT,
        CONLL
    }

    /** One record to send; key may be null. */
    record Rec(String key, String value) {}

    /** Input the user must fix (exit 2). */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private InputRecords() {}

    /** AUTO: .conll/.iob/.bio files are CoNLL, otherwise each line decides (a line starting with '{' is JSON). */
    static Format resolve(Format f, String fileName) {
        if (f != Format.AUTO) {
            return f;
        }
        String n = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".conll") || n.endsWith(".iob") || n.endsWith(".bio") ? Format.CONLL : Format.AUTO;
    }

    static List<Rec> read(String content, Format format, String keyField, String source) {
        return format == Format.CONLL ? conll(content, source) : lines(content, format, keyField, source);
    }

    private static List<Rec> lines(String content, Format format, String keyField, String source) {
        List<Rec> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new StringReader(content))) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                boolean json = format == Format.JSON
                        || (format == Format.AUTO && line.stripLeading().startsWith("{"));
                if (!json) {
                    out.add(new Rec(null, line));
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new BadInput(source + ":" + lineNo + ": not valid JSON: " + e.getOriginalMessage());
                }
                if (node == null || !node.isObject()) {
                    throw new BadInput(source + ":" + lineNo + ": not a JSON object");
                }
                JsonNode key = keyField == null ? null : node.get(keyField);
                out.add(new Rec(key == null || key.isNull() ? null : key.asText(), line));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e); // reading a String does not fail
        }
        return out;
    }

    private static List<Rec> conll(String content, String source) {
        List<ConllDocument.Sentence> sentences;
        try {
            Path tmp = Files.createTempFile("streamnlp-produce", ".conll");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                sentences = ConllDocument.read(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new BadInput(source + ": not CoNLL: " + e.getMessage());
        }
        List<Rec> out = new ArrayList<>();
        for (int i = 0; i < sentences.size(); i++) {
            ObjectNode o = JSON.createObjectNode();
            String id = "s" + (i + 1);
            o.put("id", id);
            o.put("text", sentences.get(i).text());
            out.add(new Rec(id, o.toString()));
        }
        return out;
    }
}
