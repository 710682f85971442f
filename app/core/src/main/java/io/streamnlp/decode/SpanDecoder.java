package io.streamnlp.decode;

import io.streamnlp.api.event.Entity;
import io.streamnlp.model.LabelScheme;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups word labels into entities by a {@link LabelScheme}. Ill-formed sequences are read leniently, as
 * Hugging Face does: an I- that cannot continue the open entity starts a new one, an E- without its B- is a
 * single-word entity.
 */
public final class SpanDecoder {
    private static final char OUTSIDE = 'O';

    private final LabelScheme scheme;
    private final char[] prefix; // per label: O, B, I, E or S
    private final String[] type; // per label: entity type without prefix, null for O

    public SpanDecoder(List<String> labels, LabelScheme scheme) {
        this.scheme = scheme;
        this.prefix = new char[labels.size()];
        this.type = new String[labels.size()];
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            if (l.equals("O") || l.isEmpty()) {
                prefix[i] = OUTSIDE;
            } else if (l.length() > 2 && l.charAt(1) == '-' && "BIES".indexOf(l.charAt(0)) >= 0) {
                prefix[i] = l.charAt(0);
                type[i] = l.substring(2);
            } else {
                prefix[i] = 'I'; // IO: a bare type continues a same-type neighbour
                type[i] = l;
            }
        }
    }

    /**
     * Entities of one text.
     *
     * @param text      the original text
     * @param words     number of words
     * @param label     per word: the chosen label index
     * @param prob      per word: its probability
     * @param wordStart per word: code-point offset of its first character
     * @param wordEnd   per word: code-point offset after its last character
     */
    public List<Entity> decode(String text, int words, int[] label, double[] prob, int[] wordStart, int[] wordEnd) {
        List<Entity> out = new ArrayList<>();
        Slicer slicer = new Slicer(text);
        int open = -1; // first word of the open entity, -1 when none
        String openType = null;
        for (int w = 0; w < words; w++) {
            int l = label[w];
            char p = prefix[l];
            String t = type[l];
            if (p == OUTSIDE) {
                open = close(out, slicer, open, w, openType, prob, wordStart, wordEnd);
                continue;
            }
            boolean continues = open >= 0 && t.equals(openType);
            switch (scheme) {
                case IO -> {
                    if (!continues) {
                        close(out, slicer, open, w, openType, prob, wordStart, wordEnd);
                        open = w;
                    }
                }
                // Leniently read, IOB1 and IOB2 decode alike: B- always starts an entity (in IOB1 it only ever
                // appears to split two same-type neighbours), I- continues a same-type entity or starts one.
                case IOB1, IOB2 -> {
                    if (p == 'B' || p == 'S' || !continues) {
                        close(out, slicer, open, w, openType, prob, wordStart, wordEnd);
                        open = w;
                    }
                }
                case BIOES -> {
                    if (p == 'B' || p == 'S' || !continues) {
                        close(out, slicer, open, w, openType, prob, wordStart, wordEnd);
                        open = w;
                    }
                    if (p == 'S' || p == 'E') {
                        openType = t;
                        open = close(out, slicer, open, w + 1, openType, prob, wordStart, wordEnd);
                        continue;
                    }
                }
                default -> throw new IllegalStateException(scheme.toString());
            }
            openType = t;
        }
        close(out, slicer, open, words, openType, prob, wordStart, wordEnd);
        return out;
    }

    /** Emits the open entity covering words [open, end) if any; returns -1 (nothing open). */
    private static int close(
            List<Entity> out,
            Slicer slicer,
            int open,
            int end,
            String type,
            double[] prob,
            int[] wordStart,
            int[] wordEnd) {
        if (open < 0 || end <= open) {
            return -1;
        }
        double sum = 0;
        for (int w = open; w < end; w++) {
            sum += prob[w];
        }
        int start = wordStart[open];
        int stop = wordEnd[end - 1];
        out.add(new Entity(slicer.slice(start, stop), type, start, stop, sum / (end - open)));
        return -1;
    }

    /** Slices by code-point offsets moving a cursor forward, so a text's entities cost one pass. */
    private static final class Slicer {
        private final String text;
        private int cp;
        private int ch;

        Slicer(String text) {
            this.text = text;
        }

        String slice(int start, int end) {
            int from = charIndex(start);
            int to = charIndex(end);
            return text.substring(from, to);
        }

        private int charIndex(int codePoint) {
            if (codePoint < cp) {
                cp = 0;
                ch = 0;
            }
            ch = text.offsetByCodePoints(ch, codePoint - cp);
            cp = codePoint;
            return ch;
        }
    }
}
