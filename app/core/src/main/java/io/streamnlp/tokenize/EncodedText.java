package io.streamnlp.tokenize;

import java.util.Arrays;

/**
 * One text tokenized for one tokenizer, without special tokens, split into windows. Token positions index
 * {@link #ids()}; word offsets are code points, trimmed of whitespace. Arrays are shared, not copied: treat
 * them as read-only.
 */
public final class EncodedText {
    private final String text;
    private final long[] ids;
    private final int[] wordTokenStart;
    private final int[] wordTokenEnd;
    private final int[] wordStart;
    private final int[] wordEnd;
    private final int[] windowStart;
    private final int[] windowEnd;
    private final int[] ownStart;
    private final int[] ownEnd;
    private final int specials;

    EncodedText(
            String text,
            long[] ids,
            int[] wordTokenStart,
            int[] wordTokenEnd,
            int[] wordStart,
            int[] wordEnd,
            int[] windowStart,
            int[] windowEnd,
            int[] ownStart,
            int[] ownEnd,
            int specials) {
        this.text = text;
        this.ids = ids;
        this.wordTokenStart = wordTokenStart;
        this.wordTokenEnd = wordTokenEnd;
        this.wordStart = wordStart;
        this.wordEnd = wordEnd;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.ownStart = ownStart;
        this.ownEnd = ownEnd;
        this.specials = specials;
    }

    public String text() {
        return text;
    }

    /** Token ids of the whole text, no special tokens. */
    public long[] ids() {
        return ids;
    }

    public int wordCount() {
        return wordStart.length;
    }

    /** First token of word {@code w}. */
    public int wordTokenStart(int w) {
        return wordTokenStart[w];
    }

    /** Token after the last token of word {@code w}. */
    public int wordTokenEnd(int w) {
        return wordTokenEnd[w];
    }

    /** Code-point offset of the word's first character. */
    public int wordStart(int w) {
        return wordStart[w];
    }

    /** Code-point offset after the word's last character. */
    public int wordEnd(int w) {
        return wordEnd[w];
    }

    /** Per word: code-point start (shared array, read-only). */
    public int[] wordStarts() {
        return wordStart;
    }

    /** Per word: code-point end (shared array, read-only). */
    public int[] wordEnds() {
        return wordEnd;
    }

    public int windowCount() {
        return windowStart.length;
    }

    /** First content token of window {@code k}. */
    public int windowStart(int k) {
        return windowStart[k];
    }

    /** Content token after the last one of window {@code k}. */
    public int windowEnd(int k) {
        return windowEnd[k];
    }

    /** Model input length of window {@code k}: its tokens plus the special tokens. */
    public int windowLength(int k) {
        return windowEnd[k] - windowStart[k] + specials;
    }

    /** First content token of the part of window {@code k} whose words it labels. */
    public int ownedStart(int k) {
        return ownStart[k];
    }

    /** Content token after the part of window {@code k} whose words it labels. */
    public int ownedEnd(int k) {
        return ownEnd[k];
    }

    /**
     * The window word {@code w} takes its prediction from: the one whose owned part holds the word's first
     * token. Owned parts tile the text and sit inside their windows with context on both sides, so each word
     * is labelled once, never from a window edge. (A word longer than the room may run past its window's
     * end; its labels then come from the tokens the window holds.)
     */
    public int bestWindow(int w) {
        int a = wordTokenStart[w];
        int i = Arrays.binarySearch(ownStart, a);
        return i >= 0 ? i : -i - 2;
    }

    /** Tokens fed for the whole text, specials included, no padding. */
    public int tokenCount() {
        int n = 0;
        for (int k = 0; k < windowStart.length; k++) {
            n += windowLength(k);
        }
        return n;
    }

    public int maxWindowLength() {
        int m = 0;
        for (int k = 0; k < windowStart.length; k++) {
            m = Math.max(m, windowLength(k));
        }
        return m;
    }
}
