package io.streamnlp.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.fixtures.SharedData;
import io.streamnlp.fixtures.TestBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WindowingTokenizerTest {
    private static List<String> words(EncodedText e) {
        int[] cps = e.text().codePoints().toArray();
        List<String> out = new ArrayList<>();
        for (int w = 0; w < e.wordCount(); w++) {
            out.add(new String(cps, e.wordStart(w), e.wordEnd(w) - e.wordStart(w)));
        }
        return out;
    }

    @Test
    void bertSpecialsAndNoTruncation() {
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 512, 64)) {
            assertArrayEquals(new long[] {101}, t.prefix());
            assertArrayEquals(new long[] {102}, t.suffix());
            EncodedText e = t.encode("word ".repeat(2000));
            assertEquals(2000, e.ids().length);
            assertEquals(2000, e.wordCount());
            assertTrue(e.windowCount() >= 4);
            EncodedText empty = t.encode("");
            assertEquals(1, empty.windowCount());
            assertEquals(2, empty.windowLength(0));
            assertEquals(0, empty.wordCount());
        }
    }

    @Test
    void loneSurrogatesDoNotShiftLaterOffsets() {
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 512, 64)) {
            EncodedText e = t.encode("ab\uD800cd \uDC00 Paris");
            List<String> w = words(e);
            assertEquals("Paris", w.get(w.size() - 1));
            assertEquals(8, e.wordStart(e.wordCount() - 1));
        }
    }

    @Test
    void windowsCoverEverythingOverlapAndCutBetweenWords() {
        int maxLength = 16;
        int stride = 4;
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), maxLength, stride)) {
            // "merkel" = mer ##kel, "tokenization" = token ##ization: multi-piece words everywhere
            EncodedText e = t.encode("Merkel likes tokenization and Obama likes Merkel. ".repeat(12));
            int n = e.ids().length;
            assertEquals(0, e.windowStart(0));
            assertEquals(n, e.windowEnd(e.windowCount() - 1));
            // token -> word, to check cuts
            int[] word = new int[n];
            Arrays.fill(word, -1);
            for (int w = 0; w < e.wordCount(); w++) {
                for (int i = e.wordTokenStart(w); i < e.wordTokenEnd(w); i++) {
                    word[i] = w;
                }
            }
            for (int k = 0; k < e.windowCount(); k++) {
                assertTrue(e.windowLength(k) <= maxLength, "window " + k + " has " + e.windowLength(k));
                int s = e.windowStart(k);
                int end = e.windowEnd(k);
                assertTrue(s == 0 || word[s] != word[s - 1], "window " + k + " starts inside a word");
                assertTrue(end == n || word[end] != word[end - 1], "window " + k + " ends inside a word");
                if (k > 0) {
                    assertTrue(s <= e.windowEnd(k - 1) - stride, "overlap of at least the stride");
                    assertTrue(s > e.windowStart(k - 1), "progress");
                }
            }
        }
    }

    @Test
    void eachWordIsLabelledOnceFromTheCentralPartOfAWindowWithContextOnBothSides() {
        int stride = 4;
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 24, stride)) {
            EncodedText e = t.encode("Merkel likes tokenization and Obama likes Merkel. ".repeat(6));
            int n = e.ids().length;
            assertTrue(e.windowCount() > 2, "windows " + e.windowCount());
            // owned parts tile the text in order, inside their windows
            assertEquals(0, e.ownedStart(0));
            assertEquals(n, e.ownedEnd(e.windowCount() - 1));
            for (int k = 0; k < e.windowCount(); k++) {
                assertTrue(e.ownedStart(k) < e.ownedEnd(k), "window " + k + " owns something");
                assertTrue(e.windowStart(k) <= e.ownedStart(k) && e.ownedEnd(k) <= e.windowEnd(k), "window " + k);
                if (k > 0) {
                    assertEquals(e.ownedEnd(k - 1), e.ownedStart(k), "no gap, no overlap");
                }
            }
            boolean[] used = new boolean[e.windowCount()];
            for (int w = 0; w < e.wordCount(); w++) {
                int a = e.wordTokenStart(w);
                int b = e.wordTokenEnd(w);
                int k = e.bestWindow(w);
                used[k] = true;
                assertTrue(e.ownedStart(k) <= a && a < e.ownedEnd(k), "word " + w + " starts in its window's own part");
                assertTrue(e.windowStart(k) <= a && b <= e.windowEnd(k), "word " + w + " whole in its window");
                // context: the stride (budget 22 / 4 = 5 allows all 4) on each side, except at the text's ends
                assertTrue(e.windowStart(k) == 0 || a - e.windowStart(k) >= stride, "left context of word " + w);
                assertTrue(e.windowEnd(k) == n || e.windowEnd(k) - b >= stride, "right context of word " + w);
            }
            for (int k = 0; k < used.length; k++) {
                assertTrue(used[k], "window " + k + " contributes");
            }
        }
    }

    @Test
    void cutsFallBetweenSentencesWhenOneIsNearElseBetweenWords() {
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 40, 8)) {
            // sentences of 9, 8 and 5 tokens ("merkel" is two pieces) ending in '.' + line break, '?' + quote, '!':
            // with 8 tokens of context a sentence always starts 8 to 16 tokens before any sentence
            String text = "Obama met Merkel in Berlin on Monday .\nThen Merkel asked \"why?\" Obama smiled in Paris ! "
                    .repeat(12);
            EncodedText e = t.encode(text);
            int n = e.ids().length;
            // sentence starts, as token positions: after "." + newline, after '?"' + space, after "!" + space
            Set<Integer> starts = new HashSet<>();
            int[] cps = text.codePoints().toArray();
            for (int w = 1; w < e.wordCount(); w++) {
                String prev = new String(cps, e.wordStart(w - 1), e.wordEnd(w - 1) - e.wordStart(w - 1));
                String gap = new String(cps, e.wordEnd(w - 1), e.wordStart(w) - e.wordEnd(w - 1));
                if (gap.contains("\n") || (!gap.isEmpty() && (prev.equals("!") || prev.equals("\"")))) {
                    starts.add(e.wordTokenStart(w));
                }
            }
            assertTrue(starts.size() >= 30, "sentences " + starts.size());
            assertTrue(e.windowCount() > 3);
            for (int k = 0; k < e.windowCount(); k++) {
                assertTrue(e.windowLength(k) <= 40);
                if (k > 0) {
                    assertTrue(starts.contains(e.windowStart(k)), "window " + k + " starts at a sentence");
                    assertTrue(starts.contains(e.ownedStart(k)), "window " + k + "'s own part starts at a sentence");
                }
                if (k < e.windowCount() - 1) {
                    assertTrue(starts.contains(e.windowEnd(k)), "window " + k + " ends at a sentence");
                }
            }
            // a sentence longer than a window: cuts fall between words, each word still labelled once
            EncodedText longSentence = t.encode("Merkel likes tokenization and Obama likes Merkel ".repeat(10));
            assertTrue(longSentence.windowCount() > 2);
            int[] word = new int[longSentence.ids().length];
            for (int w = 0; w < longSentence.wordCount(); w++) {
                for (int i = longSentence.wordTokenStart(w); i < longSentence.wordTokenEnd(w); i++) {
                    word[i] = w;
                }
            }
            for (int k = 1; k < longSentence.windowCount(); k++) {
                int s = longSentence.windowStart(k);
                int o = longSentence.ownedStart(k);
                assertTrue(word[s] != word[s - 1] && word[o] != word[o - 1], "window " + k + " cut inside a word");
            }
            assertEquals(n, e.ownedEnd(e.windowCount() - 1));
        }
    }

    @Test
    void sentenceWindowingGivesEachSentenceOfALongTextItsOwnWindow() {
        String sentence = "Obama met Merkel in Berlin on Monday . ";
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 24, 4, false, true)) {
            EncodedText shortText = t.encode(sentence.repeat(2));
            assertEquals(1, shortText.windowCount(), "a text that fits one window stays whole");
            EncodedText e =
                    t.encode(sentence.repeat(10) + "Merkel likes tokenization and Obama likes Merkel ".repeat(5));
            int perSentence = t.encode(sentence.strip()).ids().length;
            for (int k = 0; k < 10; k++) {
                // the sentence alone: same tokens, no context, labels its whole self
                assertEquals(k * perSentence, e.windowStart(k));
                assertEquals((k + 1) * perSentence, e.windowEnd(k));
                assertEquals(e.windowStart(k), e.ownedStart(k));
                assertEquals(e.windowEnd(k), e.ownedEnd(k));
            }
            // the last "sentence" (no full stop) is longer than a window: cut with context inside it only
            assertTrue(e.windowCount() > 11);
            for (int k = 10; k < e.windowCount(); k++) {
                assertTrue(
                        e.windowStart(k) >= 10 * perSentence, "window " + k + " reaches back into a previous sentence");
                assertTrue(e.windowLength(k) <= 24);
            }
            assertEquals(e.ids().length, e.ownedEnd(e.windowCount() - 1));
        }
    }

    @Test
    void fullStopsOfInitialsAndShortTitlesAreNoSentenceEnds() {
        String sentence = "Mr. Smith of Acme Inc. met J. Doe and U.S. officials in St. Louis . ";
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 40, 4, false, true)) {
            int perSentence = t.encode(sentence.strip()).ids().length;
            EncodedText e = t.encode(sentence.repeat(8));
            assertEquals(8, e.windowCount(), "one window per sentence, none cut at an abbreviation");
            for (int k = 0; k < 8; k++) {
                assertEquals(k * perSentence, e.windowStart(k));
            }
        }
    }

    @Test
    void windowCountStaysLinearInTheTextLength() {
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 256, 32)) {
            EncodedText words = t.encode("word ".repeat(20_000));
            // each window owns at least an eighth of the budget (254): at most 8 windows per 254 tokens, and far
            // fewer in practice
            assertTrue(words.windowCount() <= 2 + 8 * 20_000 / 254, "windows " + words.windowCount());
            assertTrue(words.windowCount() <= 20_000 / 150, "windows " + words.windowCount());
            EncodedText sentences = t.encode("Obama met Merkel in Berlin . ".repeat(3_000));
            assertTrue(sentences.windowCount() <= sentences.ids().length / 150, "windows " + sentences.windowCount());
        }
    }

    @Test
    void robertaWordsExcludeLeadingSpacesAndKeepCombiningMarks() {
        Path tok = SharedData.require("tokenizers/roberta-base/tokenizer.json");
        try (WindowingTokenizer t = new WindowingTokenizer(tok, 512, 64)) {
            assertArrayEquals(new long[] {0}, t.prefix());
            assertArrayEquals(new long[] {2}, t.suffix());
            assertEquals(1L, t.padId());
            EncodedText e = t.encode("Jose\u0301  visited\tNew  York");
            assertEquals(List.of("Jose\u0301", "visited", "New", "York"), words(e));
            assertEquals(7, e.wordStart(1));
        }
    }

    @Test
    void bertCasedWordsGroupSubTokens() {
        Path tok = SharedData.require("tokenizers/bert-base-cased/tokenizer.json");
        try (WindowingTokenizer t = new WindowingTokenizer(tok, 512, 64)) {
            EncodedText e = t.encode("Ünïcödé O'Neil-Smith");
            assertEquals(List.of("Ünïcödé", "O", "'", "Neil", "-", "Smith"), words(e));
            assertEquals(7, e.wordTokenEnd(0) - e.wordTokenStart(0)); // Ü ##n ##ï ##c ##ö ##d ##é
        }
    }
}
