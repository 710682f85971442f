package io.streamnlp.inference;

/** The outputs of one {@link LaneExecutor#run}, one per plan part; closing frees them. */
public final class LaneOutputs implements AutoCloseable {
    private final BundleRuntime.Output[] parts;
    private final long nanos;

    LaneOutputs(BundleRuntime.Output[] parts, long nanos) {
        this.parts = parts;
        this.nanos = nanos;
    }

    /** The output of plan part {@code part}. */
    BundleRuntime.Output part(int part) {
        return parts[part];
    }

    /** Wall time of the run, all lanes. */
    public long nanos() {
        return nanos;
    }

    @Override
    public void close() {
        for (BundleRuntime.Output o : parts) {
            if (o != null) {
                o.close();
            }
        }
    }
}
