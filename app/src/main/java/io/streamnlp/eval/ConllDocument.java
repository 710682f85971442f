package io.streamnlp.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CoNLL-2003 file (columns separated by spaces, token first and NER tag last; blank lines between
 * sentences; {@code -DOCSTART-} lines skipped), with gold tags normalised to IOB2 whether the file is
 * IOB1 (the original release) or IOB2.
 */
public final class ConllDocument {
    /** One sentence: its tokens, their IOB2 gold tags, and the text the pipeline is given. */
    public record Sentence(List<String> tokens, List<String> gold) {
        /** Tokens joined by single spaces: what is published. */
        public String text() {
            return String.join(" ", tokens);
        }

        /** Code-point offset of each token's first character in {@link #text()}. */
        public int[] starts() {
            int[] s = new int[tokens.size()];
            int pos = 0;
            for (int i = 0; i < tokens.size(); i++) {
                s[i] = pos;
                pos += tokens.get(i).codePointCount(0, tokens.get(i).length()) + 1;
            }
            return s;
        }
    }

    private ConllDocument() {}

    public static List<Sentence> read(Path file) throws IOException {
        List<Sentence> out = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                String t = line.strip();
                if (t.isEmpty()) {
                    flush(out, tokens, tags);
                    continue;
                }
                String[] cols = t.split("\\s+");
                if (cols[0].equals("-DOCSTART-")) {
                    flush(out, tokens, tags);
                    continue;
                }
                if (cols.length < 2) {
                    throw new IOException(file + ":" + lineNo + ": expected 'token ... tag', got '" + line + "'");
                }
                tokens.add(cols[0]);
                tags.add(cols[cols.length - 1]);
            }
        }
        flush(out, tokens, tags);
        return out;
    }

    private static void flush(List<Sentence> out, List<String> tokens, List<String> tags) {
        if (!tokens.isEmpty()) {
            out.add(new Sentence(List.copyOf(tokens), toIob2(tags)));
            tokens.clear();
            tags.clear();
        }
    }

    /** IOB1 → IOB2: an I-X that does not continue an X chunk starts one. IOB2 input is unchanged. */
    static List<String> toIob2(List<String> tags) {
        List<String> out = new ArrayList<>(tags.size());
        String prevType = null;
        for (String tag : tags) {
            if (tag.equals("O")) {
                out.add("O");
                prevType = null;
                continue;
            }
            String prefix = tag.length() > 2 && tag.charAt(1) == '-' ? tag.substring(0, 1) : "I";
            String type = tag.length() > 2 && tag.charAt(1) == '-' ? tag.substring(2) : tag;
            if (prefix.equals("B") || !type.equals(prevType)) {
                out.add("B-" + type);
            } else {
                out.add("I-" + type);
            }
            prevType = type;
        }
        return out;
    }
}
