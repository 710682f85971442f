package io.streamnlp.bench;

import java.util.Arrays;
import java.util.Locale;

/** Medians, spreads and percentiles. */
public final class Stats {
    private Stats() {}

    /** Nearest-rank percentile; 0 for no values. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    public static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** "±x%": half the range of the repeats relative to their median ("" for one repeat). */
    public static String spread(double[] values) {
        if (values.length < 2) {
            return "";
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double med = median(v);
        if (med == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "±%.0f%%", 100 * (v[v.length - 1] - v[0]) / 2 / med);
    }
}
