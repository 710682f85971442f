package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.EncodedDocument;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * How many lanes an idle device splits a batch over ({@link OverlapExecutor#spread}): only as many as give each at
 * least the minimum of sequences, one at least, never every lane for long documents.
 */
class LaneSpreadTest {
    static final class Task implements Owner {}

    /** A document of {@code tokens} tokens whose longest window has {@code window}. */
    private static Pending pending(int tokens, int window) {
        EncodedDocument doc = new EncodedDocument() {
            @Override
            public String text() {
                return "x";
            }

            @Override
            public int tokenCount() {
                return tokens;
            }

            @Override
            public int maxWindowLength() {
                return window;
            }
        };
        return new Pending(new Task(), 0, doc, 0);
    }

    private static List<Pending> batch(List<Integer> windowsEach, int window) {
        List<Pending> b = new ArrayList<>();
        for (int w : windowsEach) {
            b.add(pending(w * window, window)); // w windows of window tokens each
        }
        return b;
    }

    @Property
    void theSplitIsAsWideAsTheSequencesPayForWithinTheLanes(
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 1, max = 12) Integer> windowsEach,
            @ForAll @IntRange(min = 8, max = 512) int window,
            @ForAll @IntRange(min = 1, max = 8) int lanes,
            @ForAll @IntRange(min = 1, max = 64) int minPerLane,
            @ForAll boolean longBatch) {
        int sequences = windowsEach.stream().mapToInt(Integer::intValue).sum();
        int k = OverlapExecutor.spread(batch(windowsEach, window), lanes, longBatch, minPerLane);
        int most = longBatch ? Math.max(1, lanes - 1) : lanes;
        assertTrue(k >= 1 && k <= most, "between one lane and " + most + ": " + k);
        if (k > 1) {
            assertTrue(sequences >= (long) k * minPerLane, "each of the " + k + " lanes gets " + minPerLane + "+");
        }
        if (k < most) {
            assertTrue(sequences < (long) (k + 1) * minPerLane, "one more lane would not get its share");
        }
    }

    @Property
    void oneSequencePerLaneSplitsEveryBatchOverEveryLaneItMay(
            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 1, max = 4) Integer> windowsEach,
            @ForAll @IntRange(min = 1, max = 8) int lanes) {
        int sequences = windowsEach.stream().mapToInt(Integer::intValue).sum();
        assertEquals(Math.min(lanes, sequences), OverlapExecutor.spread(batch(windowsEach, 128), lanes, false, 1));
    }

    @Property
    void aDocumentCountsItsWindowsAndAtLeastOne(@ForAll @IntRange(min = 0, max = 5000) int tokens) {
        int windows = tokens <= 256 ? 1 : (tokens + 255) / 256;
        List<Pending> b = List.of(pending(tokens, Math.min(256, tokens)));
        assertEquals(Math.min(8, windows), OverlapExecutor.spread(b, 8, false, 1));
    }
}
