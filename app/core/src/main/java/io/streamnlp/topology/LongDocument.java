package io.streamnlp.topology;

import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import io.streamnlp.api.event.Entity;
import java.util.ArrayList;
import java.util.List;

/**
 * A text over one batch's token budget, cut into segments (between sentences where it can) that are inferred a few at
 * a time, each in a batch of its own, so that no batch, and no transaction, holds more than a budget's worth of
 * inference. It says which segments to submit next and collects their results; the finished ones are kept in the
 * changelogged partials store ({@link #takeChanges()}), so a crash resumes the document where it was.
 */
final class LongDocument {
    /** Segments of one document in the coordinator at once: enough to keep two lanes busy, few enough to stay short. */
    static final int SEGMENTS_IN_FLIGHT = 2;

    /**
     * Above this many chars per token of budget a text is cut by chars before it is tokenized, and tokenized a segment
     * at a time: tokenizing a text of many MiB whole would take many times its size in heap (and again at each
     * restore). Below it, the whole text's token count places the cuts.
     */
    static final int WHOLE_ENCODE_CHARS_PER_TOKEN = 16;

    /** Chars per token assumed when cutting by chars alone: dense text is cut finer once a segment is tokenized. */
    private static final double ASSUMED_CHARS_PER_TOKEN = 2.4;

    /** A segment to submit: its index and its tokens. */
    record Segment(int index, EncodedDocument encoded) {}

    /** One feeding step: the segments to submit now, and why the document failed when a segment cannot be encoded. */
    record Feed(List<Segment> submit, String failure) {}

    private final String text;
    private final PartialResults results;
    private int next;
    private int inFlight;
    private boolean dirty;

    private LongDocument(String text, PartialResults results) {
        this.text = text;
        this.results = results;
    }

    /** Cut by the whole text's own chars per token, with room for the estimate's error. */
    static LongDocument cut(String text, int budget, int tokenCount, long owner) {
        long target = (long) ((double) text.length() * budget * 0.8 / tokenCount);
        return new LongDocument(
                text, new PartialResults(Segments.cuts(text, (int) Math.min(Integer.MAX_VALUE, target)), owner));
    }

    /** Cut by chars alone, for a text too long to tokenize whole ({@link #WHOLE_ENCODE_CHARS_PER_TOKEN}). */
    static LongDocument cutByChars(String text, int budget, long owner) {
        long target = (long) (budget * ASSUMED_CHARS_PER_TOKEN);
        return new LongDocument(
                text, new PartialResults(Segments.cuts(text, (int) Math.min(Integer.MAX_VALUE, target)), owner));
    }

    /** True when {@code text} is cut by chars before any tokenizing. */
    static boolean tooLongToEncodeWhole(String text, int budget) {
        return (long) text.length() > (long) budget * WHOLE_ENCODE_CHARS_PER_TOKEN;
    }

    /** A document restored with the segments it had finished. */
    static LongDocument resume(String text, PartialResults kept) {
        return new LongDocument(text, kept);
    }

    /**
     * Encodes the next unfinished segments, up to {@link #SEGMENTS_IN_FLIGHT} in the coordinator at once. A segment
     * denser than the text's average (a table of digits in prose) that comes out over budget is cut finer first; one
     * with no content token (a stretch of zero-width characters) is finished here, with nothing to label.
     *
     * @param emptyNer what a segment with no content contributes to the entities: an empty list, or null when NER
     *     is off
     */
    Feed feed(EnrichmentEngine engine, int budget, List<Entity> emptyNer) {
        List<Segment> submit = new ArrayList<>();
        while (inFlight < SEGMENTS_IN_FLIGHT && next < results.count()) {
            int k = next++;
            if (results.isDone(k)) {
                continue;
            }
            String segment = results.segmentText(text, k);
            EncodedDocument seg;
            try {
                seg = engine.encode(segment);
            } catch (EngineFailureException e) {
                throw e; // a closed engine is no fault of the record
            } catch (RuntimeException e) {
                return new Feed(submit, "segment " + k + ": " + e.getMessage());
            }
            if (seg.tokenCount() > budget + budget / 2 && splitFiner(k, segment, budget, seg.tokenCount())) {
                next = k;
                continue;
            }
            if (seg.contentTokens() == 0) {
                results.finish(k, new Enrichment(emptyNer, null), 0, 0);
                dirty = true;
                continue;
            }
            inFlight++;
            submit.add(new Segment(k, seg));
        }
        return new Feed(submit, null);
    }

    private boolean splitFiner(int k, String segment, int budget, int tokens) {
        int[] sub = Segments.cuts(segment, (int) Math.max(16, (long) segment.length() * budget * 4 / 5 / tokens));
        if (sub.length < 2) {
            return false;
        }
        for (int i = 0; i < sub.length; i++) {
            sub[i] += results.start(k);
        }
        results.split(k, sub);
        dirty = true;
        return true;
    }

    /** Segment {@code k} came back with its enrichment (offsets within the segment). */
    void finished(int k, Enrichment e, int weight) {
        inFlight--;
        results.finish(k, e, results.cpStart(text, k), weight);
        dirty = true;
    }

    boolean complete() {
        return results.complete();
    }

    /** True when some segment had finished before (a restored document). */
    boolean started() {
        return results.finished() > 0;
    }

    /** The whole document's enrichment, once {@link #complete()}. */
    Enrichment merge() {
        return results.merge();
    }

    /** The finished segments to keep in the partials store when they changed since the last call, else null. */
    byte[] takeChanges() {
        if (!dirty) {
            return null;
        }
        dirty = false;
        return results.serialize();
    }
}
