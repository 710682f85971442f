package io.streamnlp.batching;

import java.util.List;

/** A task's batch buffer, as the {@link BatchCoordinator} knows it: one per incarnation of the task. */
public interface Owner {
    /**
     * The breaker is about to stop the stream thread on a batch that held these of the owner's records (their tickets
     * as given to {@link BatchCoordinator#add}), which failed alone as well: they may be at fault rather than the
     * engine. Called on the stream thread before the stop is thrown; whatever it keeps must outlive the thread (the
     * transaction is aborted).
     */
    default void stopping(List<Long> tickets) {}
}
