package io.streamnlp.inference;

import java.util.List;

/**
 * How one batch's windows (model input rows) run through one bundle, made by {@link BucketPlanner}: the rows in
 * plan order, the buckets (consecutive rows padded to one width), each bucket's parts (one per lane, same width)
 * and which lane runs which parts. Row {@code r} of the plan is window {@link #window(int)} of document
 * {@link #document(int)}.
 */
public final class BucketPlan {
    /** {@code count} consecutive rows from plan row {@code from}, all padded to {@code width} tokens. */
    public record Slice(int from, int count, int width) {
        /** Padded rows x width x (width + 64): what running the slice costs, attention included. */
        long cost() {
            return (long) count * width * (width + 64);
        }
    }

    /** (length, document, window) packed per row, in plan order: see {@link BucketPlanner}. */
    private final long[] keys;

    private final List<Slice> buckets;
    private final List<Slice> parts;
    private final int[][] partsByLane;
    private final long realTokens;
    private final long paddedTokens;

    BucketPlan(
            long[] keys,
            List<Slice> buckets,
            List<Slice> parts,
            int[][] partsByLane,
            long realTokens,
            long paddedTokens) {
        this.keys = keys;
        this.buckets = List.copyOf(buckets);
        this.parts = List.copyOf(parts);
        this.partsByLane = partsByLane;
        this.realTokens = realTokens;
        this.paddedTokens = paddedTokens;
    }

    /** Rows (windows) in the plan. */
    public int rows() {
        return keys.length;
    }

    /** The document plan row {@code row} comes from. */
    public int document(int row) {
        return BucketPlanner.document(keys[row]);
    }

    /** Which window of its document plan row {@code row} is. */
    public int window(int row) {
        return BucketPlanner.window(keys[row]);
    }

    /** The real length (tokens, special tokens included) of plan row {@code row}. */
    public int length(int row) {
        return BucketPlanner.length(keys[row]);
    }

    /** The buckets, in plan order. */
    public List<Slice> buckets() {
        return buckets;
    }

    /** The buckets split into one part per lane, in plan order: what the sessions run. */
    public List<Slice> parts() {
        return parts;
    }

    public int lanes() {
        return partsByLane.length;
    }

    /** Indexes into {@link #parts()} that lane {@code lane} runs. */
    public int[] partsOf(int lane) {
        return partsByLane[lane].clone();
    }

    /** Tokens of the rows, special tokens included, no padding. */
    public long realTokens() {
        return realTokens;
    }

    /** Tokens fed, padding included. */
    public long paddedTokens() {
        return paddedTokens;
    }
}
