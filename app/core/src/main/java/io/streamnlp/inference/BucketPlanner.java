package io.streamnlp.inference;

import io.streamnlp.tokenize.EncodedText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plans a batch's inference through one bundle, from window lengths alone: rows sorted by length and cut into
 * buckets padded only to their own longest window, a bucket closing when one more row would make over
 * {@link #MAX_PADDING_WASTE} of its tokens padding or at the row limit; each bucket split into one part per lane
 * (same width: no extra padding), the parts given, largest first, to the least loaded lane.
 */
public final class BucketPlanner {
    /** Most documents in one plan: a row packs (length, document, window) into one long, 21 bits for the document. */
    public static final int MAX_DOCUMENTS = 1 << 21;
    /** Most windows of one document, for the same reason (21 bits for the window). */
    public static final int MAX_WINDOWS = 1 << 21;
    /** A bucket closes when adding a row would make more than this share of its tokens padding. */
    public static final double MAX_PADDING_WASTE = 0.10;

    private final int maxBucketRows;

    /** @param maxBucketRows most rows per bucket (per session run before the split over lanes) */
    public BucketPlanner(int maxBucketRows) {
        if (maxBucketRows <= 0) {
            throw new IllegalArgumentException("maxBucketRows must be > 0, got " + maxBucketRows);
        }
        this.maxBucketRows = maxBucketRows;
    }

    /** {@link #plan(int[][], int)} for the windows of {@code texts} (document d is {@code texts[d]}). */
    public BucketPlan plan(EncodedText[] texts, int lanes) {
        return plan(windowLengths(texts), lanes);
    }

    /**
     * The length-bucketed plan.
     *
     * @param windowLengths per document, each window's length in tokens (special tokens included)
     * @param lanes         sessions the buckets' rows are spread over
     */
    public BucketPlan plan(int[][] windowLengths, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
        }
        long[] keys = keys(windowLengths);
        Arrays.sort(keys); // sorting longs allocates no objects
        int rows = keys.length;
        List<BucketPlan.Slice> buckets = new ArrayList<>();
        List<BucketPlan.Slice> parts = new ArrayList<>();
        long realTokens = 0;
        long paddedTokens = 0;
        int start = 0;
        while (start < rows) {
            // grow while padding waste stays under the limit (rows are sorted: the last is longest)
            int end = start + 1;
            long real = length(keys[start]);
            while (end < rows && end - start < maxBucketRows) {
                long len = length(keys[end]);
                long padded = len * (end - start + 1);
                if ((double) (padded - real - len) / padded > MAX_PADDING_WASTE) {
                    break;
                }
                real += len;
                end++;
            }
            int count = end - start;
            int width = length(keys[end - 1]);
            buckets.add(new BucketPlan.Slice(start, count, width));
            int per = (count + lanes - 1) / lanes;
            for (int f = start; f < end; f += per) {
                parts.add(new BucketPlan.Slice(f, Math.min(per, end - f), width));
            }
            realTokens += real;
            paddedTokens += (long) count * width;
            start = end;
        }
        return new BucketPlan(keys, buckets, parts, assign(parts, lanes), realTokens, paddedTokens);
    }

    /** {@link #planInArrivalOrder(int[][])} for the windows of {@code texts}. */
    public BucketPlan planInArrivalOrder(EncodedText[] texts) {
        return planInArrivalOrder(windowLengths(texts));
    }

    /**
     * No sorting, one lane: rows in document and window order, cut every {@code maxBucketRows} rows, each bucket
     * padded to its longest row. What the bench compares bucketing with.
     */
    public BucketPlan planInArrivalOrder(int[][] windowLengths) {
        long[] keys = keys(windowLengths);
        List<BucketPlan.Slice> buckets = new ArrayList<>();
        long realTokens = 0;
        long paddedTokens = 0;
        for (int start = 0; start < keys.length; start += maxBucketRows) {
            int end = Math.min(keys.length, start + maxBucketRows);
            int width = 0;
            for (int r = start; r < end; r++) {
                width = Math.max(width, length(keys[r]));
                realTokens += length(keys[r]);
            }
            buckets.add(new BucketPlan.Slice(start, end - start, width));
            paddedTokens += (long) (end - start) * width;
        }
        int[] all = new int[buckets.size()];
        Arrays.setAll(all, i -> i);
        return new BucketPlan(keys, buckets, buckets, new int[][] {all}, realTokens, paddedTokens);
    }

    /** Largest part first, each to the least loaded lane (the first of equals). */
    private static int[][] assign(List<BucketPlan.Slice> parts, int lanes) {
        Integer[] order = new Integer[parts.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order, (a, b) -> Long.compare(parts.get(b).cost(), parts.get(a).cost()));
        List<List<Integer>> byLane = new ArrayList<>();
        for (int k = 0; k < lanes; k++) {
            byLane.add(new ArrayList<>());
        }
        long[] load = new long[lanes];
        for (int i : order) {
            int best = 0;
            for (int k = 1; k < lanes; k++) {
                if (load[k] < load[best]) {
                    best = k;
                }
            }
            byLane.get(best).add(i);
            load[best] += parts.get(i).cost();
        }
        int[][] out = new int[lanes][];
        for (int k = 0; k < lanes; k++) {
            out[k] = byLane.get(k).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    private static int[][] windowLengths(EncodedText[] texts) {
        int[][] lengths = new int[texts.length][];
        for (int d = 0; d < texts.length; d++) {
            lengths[d] = new int[texts[d].windowCount()];
            for (int k = 0; k < lengths[d].length; k++) {
                lengths[d][k] = texts[d].windowLength(k);
            }
        }
        return lengths;
    }

    /** (length, document, window) in one long per row, in document and window order. */
    private static long[] keys(int[][] windowLengths) {
        if (windowLengths.length > MAX_DOCUMENTS) {
            throw new IllegalArgumentException(windowLengths.length + " documents, more than " + MAX_DOCUMENTS);
        }
        int rows = 0;
        for (int[] w : windowLengths) {
            if (w.length > MAX_WINDOWS) {
                throw new IllegalArgumentException(w.length + " windows in one document, more than " + MAX_WINDOWS);
            }
            rows += w.length;
        }
        long[] keys = new long[rows];
        int r = 0;
        for (int d = 0; d < windowLengths.length; d++) {
            for (int k = 0; k < windowLengths[d].length; k++) {
                keys[r++] = ((long) windowLengths[d][k] << 42) | ((long) d << 21) | k;
            }
        }
        return keys;
    }

    static int length(long key) {
        return (int) (key >>> 42);
    }

    static int document(long key) {
        return (int) ((key >>> 21) & 0x1FFFFF);
    }

    static int window(long key) {
        return (int) (key & 0x1FFFFF);
    }
}
