package io.streamnlp.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a long text is cut into segments that are inferred in separate batches (and so separate transactions):
 * between sentences where possible (after {@code .}, {@code !} or {@code ?}, closing quotes or brackets allowed, then
 * whitespace; or at a line break), else between words, never inside a word or a surrogate pair. Segments are
 * independent model inputs, so a cut between sentences costs only the cross-sentence context at the cut. A stretch
 * with no space for a whole segment's length is cut inside (never within a surrogate pair).
 */
final class Segments {
    private Segments() {}

    /**
     * Char offsets where segments start (the first is 0), each segment at most {@code targetChars} long (at least 16).
     */
    static int[] cuts(String text, int targetChars) {
        int n = text.length();
        int target = Math.max(16, targetChars);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        int start = 0;
        while (n - start > target) {
            int limit = start + target;
            int cut = lastBoundary(text, start + target / 4, limit, true);
            if (cut < 0) {
                cut = lastBoundary(text, start + 1, limit, false);
            }
            if (cut < 0) {
                // no space in a whole segment's length (CJK without punctuation, a base64 blob): cut inside it, as the
                // windowing cuts inside a word longer than a window, but never between the halves of a surrogate pair
                cut = Character.isLowSurrogate(text.charAt(limit)) ? limit - 1 : limit;
            }
            starts.add(cut);
            start = cut;
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The last segment start in (from, to]: after a sentence end (sentences) or any whitespace run. */
    private static int lastBoundary(String text, int from, int to, boolean sentences) {
        for (int i = Math.min(to, text.length() - 1); i > from; i--) {
            if (isBoundaryAt(text, i, sentences)) {
                return i;
            }
        }
        return -1;
    }

    /** A segment may start at {@code i}: a non-space char after whitespace (which follows a sentence end). */
    static boolean isBoundaryAt(String text, int i, boolean sentences) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c) || Character.isLowSurrogate(c)) {
            return false;
        }
        if (sentences && i > 0 && "。！？".indexOf(text.charAt(i - 1)) >= 0) {
            return true; // CJK sentences end without a space
        }
        int j = i - 1;
        if (j < 0 || !Character.isWhitespace(text.charAt(j))) {
            return false;
        }
        boolean newline = false;
        while (j >= 0 && Character.isWhitespace(text.charAt(j))) {
            newline |= text.charAt(j) == '\n';
            j--;
        }
        if (!sentences || newline) {
            return j >= 0 || !sentences;
        }
        while (j >= 0 && "\"'”’)]»".indexOf(text.charAt(j)) >= 0) {
            j--;
        }
        return j >= 0 && ".!?。！？".indexOf(text.charAt(j)) >= 0;
    }
}
