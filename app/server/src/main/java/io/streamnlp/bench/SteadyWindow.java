package io.streamnlp.bench;

/**
 * The steady-state part of the processor-in-its-own-JVM load: from the moment the load driver had seen the first
 * {@code after} of its records emitted to the end of the load, with what the processor process spent in between
 * (its CPU time from the OS and its ONNX Runtime session runs' CPU time, both read at the two marks). What the
 * whole load's figures include and this leaves out is the JIT compiler's first minutes and whatever else the
 * process does only once.
 *
 * @param after records emitted before the window opened (the load driver's count at the first mark)
 * @param records records emitted inside the window (the load's received records less {@code after})
 * @param total records the whole load emitted
 * @param cpu what the process spent inside the window
 */
public record SteadyWindow(int after, int records, int total, ExternalProcessor.Cpu cpu) {
    /**
     * How many records of a load of {@code total} the window skips: {@code percent} % of them, rounded up, and at
     * least 1 and at most {@code total - 1} so that both parts hold a record; 0 (no window) when {@code total < 2}.
     */
    public static int startAfter(int total, int percent) {
        if (percent < 1 || percent > 99) {
            throw new IllegalArgumentException("the steady window starts after 1 to 99 % of the load: " + percent);
        }
        if (total < 2) {
            return 0;
        }
        int after = (int) Math.ceil(total * (percent / 100.0));
        return Math.max(1, Math.min(total - 1, after));
    }

    /**
     * The window from the first mark to the end of the load.
     *
     * @param atMark the process's CPU at the first mark, or null when the mark was not reached (no window)
     * @param emittedAtMark records the load driver had seen emitted at the first mark
     * @param atEnd the process's CPU at the end of the load
     * @param total records the whole load emitted
     * @return the window, or null when there is none (no mark, or no record after it)
     */
    public static SteadyWindow between(
            ExternalProcessor.Cpu atMark, int emittedAtMark, ExternalProcessor.Cpu atEnd, int total) {
        if (atMark == null || emittedAtMark >= total) {
            return null;
        }
        return new SteadyWindow(emittedAtMark, total - emittedAtMark, total, atEnd.minus(atMark));
    }

    /** The process's CPU seconds per record inside the window. */
    public double cpuSecondsPerRecord() {
        return records == 0 ? 0 : cpu.processSeconds() / records;
    }

    /** How the report names this window. */
    public String label() {
        return "steady state, after the first " + after + " of " + total + " records";
    }
}
