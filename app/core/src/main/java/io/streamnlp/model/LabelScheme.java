package io.streamnlp.model;

import java.util.List;
import java.util.Locale;

/** How token-classification labels mark entity boundaries. */
public enum LabelScheme {
    /** B- starts every entity, I- continues it (most Hugging Face models). */
    IOB2,
    /** I- starts an entity unless the previous word has its type; B- only splits two adjacent same-type entities (CoNLL files). */
    IOB1,
    /** Plain types without prefixes: adjacent words of one type form one entity. */
    IO,
    /** S- single-word entity, B- begin, I- inside, E- end. */
    BIOES;

    /** Parses a manifest's labelScheme; returns null for an unknown name (the caller names the file). */
    public static LabelScheme parse(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("BIO")) {
            return IOB2;
        }
        for (LabelScheme s : values()) {
            if (s.name().equals(n)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Guesses the scheme from the labels: any S-/E- prefix means BIOES, any B-/I- prefix IOB2 (IOB1 cannot be
     * told apart from the labels alone; a manifest must say so), no prefixes at all IO. Returns null for
     * labels that fit none (e.g. BILOU's U-/L-).
     */
    public static LabelScheme detect(List<String> labels) {
        boolean bi = false;
        boolean es = false;
        boolean plain = false;
        for (String label : labels) {
            if (label.equals("O")) {
                continue;
            }
            if (label.length() > 2 && label.charAt(1) == '-') {
                switch (label.charAt(0)) {
                    case 'B', 'I' -> bi = true;
                    case 'E', 'S' -> es = true;
                    default -> {
                        return null;
                    }
                }
            } else {
                plain = true;
            }
        }
        if (es) {
            return plain ? null : BIOES;
        }
        if (bi) {
            return plain ? null : IOB2;
        }
        return IO;
    }
}
