package io.streamnlp.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on stderr: done/total, rate, and an estimate of what is left. */
final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long lastPrintNanos;
    private final boolean enabled;

    ProgressBar(PrintStream out, String label, boolean enabled) {
        this.out = out;
        this.label = label;
        this.enabled = enabled;
    }

    void update(long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastPrintNanos < 200_000_000L) {
            return;
        }
        lastPrintNanos = now;
        double secs = (now - startNanos) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        String eta =
                rate > 0 && done < total ? String.format(Locale.ROOT, " eta %ds", (long) ((total - done) / rate)) : "";
        out.printf(
                Locale.ROOT,
                "\r%s [%s%s] %d/%d %.0f rec/s%s   ",
                label,
                "#".repeat(filled),
                " ".repeat(width - filled),
                done,
                total,
                rate,
                eta);
        if (done >= total) {
            out.println();
        }
        out.flush();
    }

    void finish() {
        if (enabled) {
            out.println();
        }
    }
}
