package io.streamnlp.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Tokenizes whole texts (never truncating) and splits them into windows of at most {@code maxLength} model
 * tokens, special tokens included, overlapping by {@code stride} tokens, cutting between words where it can.
 */
public final class WindowingTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final long padId;
    private final boolean lowercaseInput;
    private final long[] prefix;
    private final long[] suffix;
    private final int maxLength;
    private final int stride;
    private final int budget;

    public WindowingTokenizer(Path tokenizerJson, int maxLength, int stride) {
        this(tokenizerJson, maxLength, stride, false);
    }

    /**
     * @param lowercase the model expects lowercased text (bundle.json "lowercase"); applied here, one code point
     *                  for one so offsets hold, only when the tokenizer's own normalizer does not lowercase
     */
    public WindowingTokenizer(Path tokenizerJson, int maxLength, int stride, boolean lowercase) {
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
        this.budget = maxLength - prefix.length - suffix.length;
        if (budget < 2) {
            tokenizer.close();
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room beside the special tokens");
        }
    }

    /** Special tokens before the content (e.g. [CLS] or &lt;s&gt;). */
    public long[] prefix() { return prefix.clone(); }

    /** Special tokens after the content (e.g. [SEP] or &lt;/s&gt;). */
    public long[] suffix() { return suffix.clone(); }

    public int maxLength() { return maxLength; }

    /** The id padding positions carry (they are masked out). */
    public long padId() { return padId; }

    /** Special tokens around each window. */
    public int specialCount() { return prefix.length + suffix.length; }

    /** Writes the special prefix into {@code buf}. */
    public void putPrefix(java.nio.LongBuffer buf) { buf.put(prefix); }

    /** Writes the special suffix into {@code buf}. */
    public void putSuffix(java.nio.LongBuffer buf) { buf.put(suffix); }

    public int prefixLength() { return prefix.length; }

    public int stride() { return stride; }

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
        int[][] windows = windows(tokenWord, n);
        return new EncodedText(text, ids, Arrays.copyOf(wts, words), Arrays.copyOf(wte, words),
                Arrays.copyOf(ws, words), Arrays.copyOf(we, words), windows[0], windows[1],
                prefix.length + suffix.length);
    }

    /** Window bounds over content tokens: ends at word boundaries where possible, {@code stride} tokens of overlap. */
    private int[][] windows(int[] tokenWord, int n) {
        if (n <= budget) {
            return new int[][] {{0}, {n}};
        }
        int cap = 2 + n / Math.max(1, budget - stride);
        int[] starts = new int[cap];
        int[] ends = new int[cap];
        int count = 0;
        int s = 0;
        while (true) {
            int e = Math.min(n, s + budget);
            if (e < n) {
                int b = e;
                while (b > s && tokenWord[b] == tokenWord[b - 1]) {
                    b--;
                }
                if (b > s + budget / 2) { // else the word is huge: cut inside it rather than shrink the window
                    e = b;
                }
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            starts[count] = s;
            ends[count] = e;
            count++;
            if (e == n) {
                break;
            }
            int next = e - stride;
            int b = next;
            while (b > s + 1 && tokenWord[b] == tokenWord[b - 1]) {
                b--;
            }
            if (b > s + 1 && e - b <= budget / 2) { // start the next window at a word start if overlap stays modest
                next = b;
            }
            // at least half a window of progress, whatever the stride: no quadratic window counts
            s = Math.max(next, s + Math.max(1, (e - s) / 2));
        }
        return new int[][] {Arrays.copyOf(starts, count), Arrays.copyOf(ends, count)};
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
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || cp == 0x200D                          // zero width joiner
                || (cp >= 0xFE00 && cp <= 0xFE0F)        // variation selectors
                || (cp >= 0x1F3FB && cp <= 0x1F3FF)      // emoji skin-tone modifiers
                || (cp >= 0xE0020 && cp <= 0xE007F);     // emoji tag sequences
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
