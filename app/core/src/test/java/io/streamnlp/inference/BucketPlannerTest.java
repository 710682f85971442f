package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamnlp.inference.BucketPlan.Slice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bucket plans from window lengths alone: sorting, the padding rule, the row limit, the split over lanes. */
class BucketPlannerTest {
    @Test
    void sortsByLengthAndClosesABucketPastTenPercentPadding() {
        // document 0: windows of 10 and 12 tokens; document 1: 100; document 2: 11
        BucketPlan plan = new BucketPlanner(64).plan(new int[][] {{10, 12}, {100}, {11}}, 1);
        assertEquals(4, plan.rows());
        int[][] rows = new int[plan.rows()][];
        for (int r = 0; r < plan.rows(); r++) {
            rows[r] = new int[] {plan.length(r), plan.document(r), plan.window(r)};
        }
        assertArrayEquals(new int[][] {{10, 0, 0}, {11, 2, 0}, {12, 0, 1}, {100, 1, 0}}, rows);
        // 10, 11, 12 padded to 12 waste 3/36; adding 100 would waste 267/400
        assertEquals(List.of(new Slice(0, 3, 12), new Slice(3, 1, 100)), plan.buckets());
        assertEquals(plan.buckets(), plan.parts());
        assertArrayEquals(new int[] {1, 0}, plan.partsOf(0)); // the costlier (100 x 164 > 3 x 12 x 76) first
        assertEquals(133, plan.realTokens());
        assertEquals(136, plan.paddedTokens());
    }

    @Test
    void exactlyTenPercentPaddingStillJoins() {
        assertEquals(
                List.of(new Slice(0, 2, 10)),
                new BucketPlanner(64).plan(new int[][] {{8, 10}}, 1).buckets());
        assertEquals(
                List.of(new Slice(0, 1, 7), new Slice(1, 1, 10)),
                new BucketPlanner(64).plan(new int[][] {{7, 10}}, 1).buckets());
    }

    @Test
    void rowLimitClosesBuckets() {
        BucketPlan plan = new BucketPlanner(2).plan(new int[][] {{8, 8}, {8}, {8, 8}}, 1);
        assertEquals(List.of(new Slice(0, 2, 8), new Slice(2, 2, 8), new Slice(4, 1, 8)), plan.buckets());
        assertEquals(40, plan.paddedTokens());
    }

    @Test
    void splitsEachBucketOverTheLanesAtItsWidth() {
        BucketPlan plan = new BucketPlanner(64).plan(new int[][] {{16, 16, 16, 16, 16}}, 2);
        assertEquals(List.of(new Slice(0, 5, 16)), plan.buckets());
        assertEquals(List.of(new Slice(0, 3, 16), new Slice(3, 2, 16)), plan.parts());
        assertArrayEquals(new int[] {0}, plan.partsOf(0));
        assertArrayEquals(new int[] {1}, plan.partsOf(1));
        assertEquals(80, plan.paddedTokens()); // no padding added by the split
    }

    @Test
    void largestPartGoesFirstToTheLeastLoadedLane() {
        // three one-row buckets (too unlike to share): widths 10, 50, 100
        BucketPlan plan = new BucketPlanner(64).plan(new int[][] {{100}, {10}, {50}}, 2);
        assertEquals(List.of(new Slice(0, 1, 10), new Slice(1, 1, 50), new Slice(2, 1, 100)), plan.parts());
        assertArrayEquals(new int[] {2}, plan.partsOf(0)); // 100 x 164
        assertArrayEquals(new int[] {1, 0}, plan.partsOf(1)); // 50 x 114, then 10 x 74 on the lighter lane
    }

    @Test
    void arrivalOrderCutsEveryRowLimitAndPadsToEachChunksLongest() {
        BucketPlan plan = new BucketPlanner(2).planInArrivalOrder(new int[][] {{30}, {10}, {20}});
        assertEquals(1, plan.lanes());
        assertEquals(0, plan.document(0));
        assertEquals(1, plan.document(1));
        assertEquals(2, plan.document(2));
        assertEquals(List.of(new Slice(0, 2, 30), new Slice(2, 1, 20)), plan.buckets());
        assertEquals(60, plan.realTokens());
        assertEquals(80, plan.paddedTokens());
        // sorted, the same windows need no padding (each too unlike the next to share a bucket)
        assertEquals(
                60, new BucketPlanner(2).plan(new int[][] {{30}, {10}, {20}}, 1).paddedTokens());
    }

    @Test
    void emptyBatchHasNoBuckets() {
        BucketPlan plan = new BucketPlanner(64).plan(new int[][] {}, 3);
        assertEquals(0, plan.rows());
        assertEquals(List.of(), plan.buckets());
        assertArrayEquals(new int[0], plan.partsOf(2));
    }

    @Test
    void rejectsNoLanesAndNoRows() {
        assertThrows(IllegalArgumentException.class, () -> new BucketPlanner(0));
        assertThrows(IllegalArgumentException.class, () -> new BucketPlanner(64).plan(new int[][] {{8}}, 0));
    }
}
