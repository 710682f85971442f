package io.streamnlp.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.fixtures.SharedData;
import io.streamnlp.fixtures.TestBundles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            java.util.Arrays.fill(word, -1);
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
    void eachWordIsPredictedFromTheWindowWhereItHasMostContext() {
        try (WindowingTokenizer t = new WindowingTokenizer(TestBundles.minilmTokenizer(), 16, 4)) {
            EncodedText e = t.encode("Merkel likes tokenization and Obama likes Merkel. ".repeat(6));
            boolean[] used = new boolean[e.windowCount()];
            for (int w = 0; w < e.wordCount(); w++) {
                int a = e.wordTokenStart(w);
                int b = e.wordTokenEnd(w);
                int k = e.bestWindow(w);
                used[k] = true;
                assertTrue(e.windowStart(k) <= a && b <= e.windowEnd(k), "word " + w + " whole in its window");
                int dist = Math.min(a - e.windowStart(k), e.windowEnd(k) - b);
                for (int j = 0; j < e.windowCount(); j++) {
                    if (e.windowStart(j) <= a && b <= e.windowEnd(j)) {
                        assertTrue(Math.min(a - e.windowStart(j), e.windowEnd(j) - b) <= dist, "word " + w + " window " + j);
                    }
                }
            }
            for (int k = 0; k < used.length; k++) {
                assertTrue(used[k], "window " + k + " contributes");
            }
            // a word in the overlap of windows 0 and 1 goes to the one where it is farther from the edge
            int overlapStart = e.windowStart(1);
            int lastOfFirst = e.windowEnd(0);
            for (int w = 0; w < e.wordCount(); w++) {
                int a = e.wordTokenStart(w);
                int b = e.wordTokenEnd(w);
                if (a >= overlapStart && b <= lastOfFirst) {
                    int inFirst = Math.min(a - e.windowStart(0), lastOfFirst - b);
                    int inSecond = Math.min(a - overlapStart, e.windowEnd(1) - b);
                    assertEquals(inSecond > inFirst ? 1 : 0, e.bestWindow(w), "overlap word " + w);
                }
            }
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
