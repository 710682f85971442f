package io.streamnlp.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tokenizes whole texts (never truncating) and splits them into windows of at most {@code maxLength} model
 * tokens, special tokens included. Each window labels only its central part, with at least {@code stride}
 * tokens of context on each side, and cuts fall between sentences where they can, else between words.
 */
public final class WindowingTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final long padId;
    private final boolean lowercaseInput;
    private final long[] prefix;
    private final long[] suffix;
    private final int maxLength;
    private final int stride;
    private final boolean sentenceWindows;
    private final int budget;

    public WindowingTokenizer(Path tokenizerJson, int maxLength, int stride) {
        this(tokenizerJson, maxLength, stride, false);
    }

    public WindowingTokenizer(Path tokenizerJson, int maxLength, int stride, boolean lowercase) {
        this(tokenizerJson, maxLength, stride, lowercase, false);
    }

    /**
     * @param lowercase the model expects lowercased text (bundle.json "lowercase"); applied here, one code point
     *                  for one so offsets hold, only when the tokenizer's own normalizer does not lowercase
     * @param sentenceWindows a text longer than one window is cut into its sentences, one window each, with no
     *                  context across them (bundle.json "windowing": "sentence", for models trained on single
     *                  sentences that other sentences' context confuses); a sentence longer than a window is cut
     *                  with context as usual
     */
    public WindowingTokenizer(
            Path tokenizerJson, int maxLength, int stride, boolean lowercase, boolean sentenceWindows) {
        TokenizerLoader.Loaded loaded = TokenizerLoader.load(tokenizerJson);
        this.tokenizer = loaded.tokenizer();
        this.padId = loaded.padId();
        this.lowercaseInput = lowercase && !loaded.lowercases();
        // The template's special tokens: where the content of a one-word text sits among them.
        long[] plain = tokenizer.encode("a", false, false).getIds();
        long[] full = tokenizer.encode("a", true, false).getIds();
        int at = indexOf(full, plain);
        if (at < 0) {
            tokenizer.close();
            throw new IllegalStateException(tokenizerJson + ": cannot locate special tokens around content");
        }
        this.prefix = Arrays.copyOfRange(full, 0, at);
        this.suffix = Arrays.copyOfRange(full, at + plain.length, full.length);
        this.maxLength = maxLength;
        this.stride = stride;
        this.sentenceWindows = sentenceWindows;
        this.budget = maxLength - prefix.length - suffix.length;
        if (budget < 2) {
            tokenizer.close();
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room beside the special tokens");
        }
    }

    /** Special tokens before the content (e.g. [CLS] or &lt;s&gt;). */
    public long[] prefix() {
        return prefix.clone();
    }

    /** Special tokens after the content (e.g. [SEP] or &lt;/s&gt;). */
    public long[] suffix() {
        return suffix.clone();
    }

    public int maxLength() {
        return maxLength;
    }

    /** The id padding positions carry (they are masked out). */
    public long padId() {
        return padId;
    }

    /** Special tokens around each window. */
    public int specialCount() {
        return prefix.length + suffix.length;
    }

    /** Writes the special prefix into {@code buf}. */
    public void putPrefix(LongBuffer buf) {
        buf.put(prefix);
    }

    /** Writes the special suffix into {@code buf}. */
    public void putSuffix(LongBuffer buf) {
        buf.put(suffix);
    }

    public int prefixLength() {
        return prefix.length;
    }

    public int stride() {
        return stride;
    }

    /** Encodes a text; throws IllegalArgumentException for null. */
    public EncodedText encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        Encoding enc = tokenizer.encode(prepare(text), false, false);
        long[] ids = enc.getIds();
        long[] wordIds = enc.getWordIds();
        CharSpan[] spans = enc.getCharTokenSpans();
        int n = ids.length;
        int[] cps = text.codePoints().toArray();

        // Group consecutive tokens of one pre-tokenized word; drop words that are only whitespace (a byte-level
        // BPE emits a lone "Ġ" for repeated spaces) since they can be no part of an entity's edges.
        int[] tokenWord = new int[n];
        int[] wts = new int[n];
        int[] wte = new int[n];
        int[] ws = new int[n];
        int[] we = new int[n];
        int words = 0;
        int t = 0;
        while (t < n) {
            int u = t + 1;
            while (u < n && wordIds[u] >= 0 && wordIds[u] == wordIds[t]) {
                u++;
            }
            int s = Integer.MAX_VALUE;
            int e = -1;
            for (int i = t; i < u; i++) {
                CharSpan sp = spans[i];
                if (sp == null) {
                    continue;
                }
                int a = Math.max(0, sp.getStart());
                int b = Math.min(cps.length, sp.getEnd());
                while (a < b && isSpace(cps[a])) {
                    a++;
                }
                while (b > a && isSpace(cps[b - 1])) {
                    b--;
                }
                if (a < b) {
                    s = Math.min(s, a);
                    e = Math.max(e, b);
                }
            }
            // a whitespace-only group gets a negative id of its own: window cuts still respect it
            int group = -1 - t;
            if (e > s) {
                e = extendGrapheme(cps, e);
                if (words > 0 && (s < we[words - 1] || (s == we[words - 1] && isExtender(cps[s])))) {
                    // only combining marks / joiners (a byte-level BPE splits them off): they belong to the
                    // previous word, or an entity would end in the middle of a character
                    group = words - 1;
                    wte[group] = u;
                    we[group] = Math.max(we[group], e);
                } else {
                    wts[words] = t;
                    wte[words] = u;
                    ws[words] = s;
                    we[words] = e;
                    group = words++;
                }
            }
            for (int i = t; i < u; i++) {
                tokenWord[i] = group;
            }
            t = u;
        }
        int[][] windows;
        if (n <= budget) {
            windows = windows(n, wts, words, wts, 0);
        } else {
            int[] sentenceStarts = new int[Math.max(0, words)];
            int sentences = sentenceStarts(cps, wts, ws, we, words, sentenceStarts);
            windows = windows(n, wts, words, sentenceStarts, sentences);
        }
        return new EncodedText(
                text,
                ids,
                Arrays.copyOf(wts, words),
                Arrays.copyOf(wte, words),
                Arrays.copyOf(ws, words),
                Arrays.copyOf(we, words),
                windows[0],
                windows[1],
                windows[2],
                windows[3],
                prefix.length + suffix.length);
    }

    /**
     * Window bounds over content tokens, and the part of each window that labels its words ("owned"): the
     * owned parts tile the text in order, and each has at least {@code context} tokens of context on both
     * sides inside its window (fewer only at the text's ends), where {@code context = min(stride, budget/4)}.
     * Owned parts and window edges fall on sentence boundaries where one is near, else on word boundaries,
     * else (one word longer than the room) inside a word: a sentence is then labelled by one window that
     * sees it whole with context around it, the same way wherever the text is cut, so an entity is never
     * split or duplicated at a cut and a document's sentence gets the labels it gets alone as far as its
     * context allows. Every window owns at least an eighth of the budget: the count stays linear. With
     * sentence windowing each sentence that fits is a window of its own (owning all of it) and only longer
     * ones are cut this way, within themselves: at most one window per sentence plus those cuts.
     */
    private int[][] windows(int n, int[] wordStarts, int words, int[] sentenceStarts, int sentences) {
        if (n <= budget) {
            return new int[][] {{0}, {n}, {0}, {n}};
        }
        int[][] out = new int[4][2 + 8 * n / budget];
        int[] count = {0};
        if (sentenceWindows) {
            int from = 0;
            for (int i = 0; i <= sentences; i++) {
                int to = i < sentences ? sentenceStarts[i] : n;
                if (to - from <= budget) {
                    out = add(out, count, from, to, from, to);
                } else {
                    out = windowsIn(out, count, from, to, wordStarts, words, sentenceStarts, sentences);
                }
                from = to;
            }
        } else {
            out = windowsIn(out, count, 0, n, wordStarts, words, sentenceStarts, sentences);
        }
        for (int i = 0; i < 4; i++) {
            out[i] = Arrays.copyOf(out[i], count[0]);
        }
        return out;
    }

    /** Windows with context over content tokens [from, to), appended to {@code out}. */
    private int[][] windowsIn(
            int[][] out,
            int[] count,
            int from,
            int to,
            int[] wordStarts,
            int words,
            int[] sentenceStarts,
            int sentences) {
        int n = to;
        int context = Math.min(stride, budget / 4);
        int pos = from;
        while (true) {
            int ws = from;
            if (pos > from) {
                int target = pos - context;
                // a whole sentence of left context when one starts at most `context` tokens further back
                int earliest = Math.max(from, target - context);
                ws = latest(sentenceStarts, sentences, earliest, target);
                if (ws < 0) {
                    ws = latest(wordStarts, words, earliest, target);
                }
                if (ws < 0) {
                    ws = Math.max(from, target);
                }
            }
            int limit = ws + budget;
            if (limit >= n) {
                return add(out, count, ws, n, pos, n);
            }
            int hi = limit - context; // room for the right context
            int lo = pos + Math.max(1, (hi - pos) / 2); // progress: at least half the room
            // both the owned part and the window end at sentences when the sentences allow, the owned part
            // as long as it can be
            int we = latest(sentenceStarts, sentences, lo + context, limit);
            int ownEnd = we < 0 ? -1 : latest(sentenceStarts, sentences, lo, we - context);
            if (ownEnd < 0) {
                ownEnd = latest(sentenceStarts, sentences, lo, hi);
                if (ownEnd < 0) {
                    ownEnd = latest(wordStarts, words, lo, hi); // a sentence longer than the room
                }
                if (ownEnd < 0) {
                    ownEnd = hi; // a word longer than the room
                }
                we = latest(sentenceStarts, sentences, ownEnd + context, limit);
                if (we < 0) {
                    we = latest(wordStarts, words, ownEnd + context, limit);
                }
                if (we < 0) {
                    we = limit;
                }
            }
            out = add(out, count, ws, we, pos, ownEnd);
            pos = ownEnd;
        }
    }

    /** Appends one window (bounds, owned part), growing the arrays when full; returns them. */
    private static int[][] add(int[][] out, int[] count, int ws, int we, int os, int oe) {
        int c = count[0];
        if (c == out[0].length) {
            for (int i = 0; i < 4; i++) {
                out[i] = Arrays.copyOf(out[i], c * 2);
            }
        }
        out[0][c] = ws;
        out[1][c] = we;
        out[2][c] = os;
        out[3][c] = oe;
        count[0] = c + 1;
        return out;
    }

    /** The largest of the first {@code count} values of ascending {@code sorted} within [lo, hi], or -1. */
    private static int latest(int[] sorted, int count, int lo, int hi) {
        if (hi < lo) {
            return -1;
        }
        int i = Arrays.binarySearch(sorted, 0, count, hi);
        int at = i >= 0 ? i : -i - 2; // the last value <= hi
        return at >= 0 && sorted[at] >= lo ? sorted[at] : -1;
    }

    /**
     * Token positions where a sentence starts (the first word excluded): after a word ending with '.', '!'
     * or '?' (closing quotes and brackets may follow) when whitespace follows it, or after a line break.
     * Tokenizers split punctuation into words of its own, so the text, not the word, is looked at.
     */
    private static int sentenceStarts(int[] cps, int[] wts, int[] ws, int[] we, int words, int[] out) {
        int count = 0;
        for (int w = 0; w + 1 < words; w++) {
            int gapStart = we[w];
            int gapEnd = ws[w + 1];
            boolean space = false;
            boolean lineBreak = false;
            for (int i = gapStart; i < gapEnd; i++) {
                int cp = cps[i];
                if (cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
                    lineBreak = true;
                } else if (isSpace(cp)) {
                    space = true;
                }
            }
            boolean boundary = lineBreak;
            if (!boundary && space) {
                int i = gapStart - 1;
                while (i > 0 && isClosing(cps[i])) {
                    i--;
                }
                boundary = i >= 0 && (cps[i] == '!' || cps[i] == '?' || (cps[i] == '.' && !abbreviation(cps, i)));
            }
            if (boundary) {
                out[count++] = wts[w + 1];
            }
        }
        return count;
    }

    /**
     * A full stop after an initial or a short title-case word ("U.S.", "J. Smith", "Mr.", "Inc.", "St.") is
     * taken for an abbreviation, not a sentence end: a missed end only gives a window some more context,
     * while a false one cuts a sentence apart under "windowing": "sentence".
     */
    private static boolean abbreviation(int[] cps, int dot) {
        int i = dot;
        while (i > 0 && Character.isLetter(cps[i - 1])) {
            i--;
        }
        int letters = dot - i;
        if (letters == 1) {
            return true;
        }
        if (letters < 2 || letters > 3 || !Character.isUpperCase(cps[i])) {
            return false;
        }
        for (int j = i + 1; j < dot; j++) {
            if (!Character.isLowerCase(cps[j])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isClosing(int cp) {
        return cp == '"'
                || cp == '\''
                || cp == ')'
                || cp == ']'
                || cp == '}'
                || cp == 0x201D
                || cp == 0x2019
                || cp == 0xBB;
    }

    /**
     * Moves a word end past combining marks, variation selectors, emoji modifiers and zero-width-joined code
     * points that a normalizer dropped (an uncased WordPiece strips accents and ZWJ), so slicing an entity never
     * splits a user-perceived character.
     */
    private static int extendGrapheme(int[] cps, int end) {
        int e = end;
        while (e < cps.length && isExtender(cps[e])) {
            e += cps[e] == 0x200D && e + 1 < cps.length && !isSpace(cps[e + 1]) ? 2 : 1;
        }
        return Math.min(e, cps.length);
    }

    private static boolean isExtender(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || cp == 0x200D // zero width joiner
                || (cp >= 0xFE00 && cp <= 0xFE0F) // variation selectors
                || (cp >= 0x1F3FB && cp <= 0x1F3FF) // emoji skin-tone modifiers
                || (cp >= 0xE0020 && cp <= 0xE007F); // emoji tag sequences
    }

    /**
     * What the tokenizer sees: lone surrogates become U+FFFD (the native tokenizer would otherwise receive
     * different characters and every later offset would shift) and, when asked, lowercase. Both map one code
     * point to one code point, so offsets into the original text hold. The text itself when nothing changes.
     */
    private String prepare(String text) {
        boolean lone = hasLoneSurrogate(text);
        if (!lone && !lowercaseInput) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            int c = Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp;
            // String.toLowerCase may change the length (İ becomes i + U+0307): one code point at a time
            sb.appendCodePoint(lowercaseInput ? Character.toLowerCase(c) : c);
        });
        return sb.toString();
    }

    private static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    private static int indexOf(long[] haystack, long[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
