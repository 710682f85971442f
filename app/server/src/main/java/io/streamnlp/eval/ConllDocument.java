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
 * sentences; {@code -DOCSTART-} lines separate documents), with gold tags normalised to IOB2 whether the
 * file is IOB1 (the original release) or IOB2.
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

    /**
     * The sentences between two {@code -DOCSTART-} lines, published as one record: each sentence's
     * {@link Sentence#text()} (tokens joined by single spaces, exactly as the sentence unit publishes it)
     * and the sentences separated by {@link #SEPARATOR}. A single newline is a sentence boundary for the
     * windowing tokenizer and a word boundary for every tokenizer, so no token changes, and a sentence's
     * offsets inside the document are its own shifted by {@link #sentenceStarts()}.
     */
    public record Document(List<Sentence> sentences) {
        public static final String SEPARATOR = "\n";

        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Sentence s : sentences) {
                if (sb.length() > 0) {
                    sb.append(SEPARATOR);
                }
                sb.append(s.text());
            }
            return sb.toString();
        }

        /** Code-point offset of each sentence's first character in {@link #text()}. */
        public int[] sentenceStarts() {
            int[] out = new int[sentences.size()];
            int pos = 0;
            for (int i = 0; i < out.length; i++) {
                out[i] = pos;
                String t = sentences.get(i).text();
                pos += t.codePointCount(0, t.length()) + SEPARATOR.length();
            }
            return out;
        }
    }

    private ConllDocument() {}

    /** Every sentence of the file, in order, documents flattened. */
    public static List<Sentence> read(Path file) throws IOException {
        List<Sentence> out = new ArrayList<>();
        for (Document d : readDocuments(file)) {
            out.addAll(d.sentences());
        }
        return out;
    }

    /**
     * The file's documents: a {@code -DOCSTART-} line starts a new one; sentences before the first such
     * line form a document of their own, and a document without sentences is dropped.
     */
    public static List<Document> readDocuments(Path file) throws IOException {
        List<Document> docs = new ArrayList<>();
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
                    endDocument(docs, out);
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
        endDocument(docs, out);
        return docs;
    }

    private static void endDocument(List<Document> docs, List<Sentence> sentences) {
        if (!sentences.isEmpty()) {
            docs.add(new Document(List.copyOf(sentences)));
            sentences.clear();
        }
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
