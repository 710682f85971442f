package io.streamnlp.batching;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EngineFailureException;
import io.streamnlp.inference.InferenceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a batch once inference returned or threw, for both executors: results go to the mailboxes; a batch
 * that threw is split in halves until the records that make it throw are alone, so they (and only they) are reported
 * failed. The breaker keeps an engine failure from dead-lettering good records: an error that names the engine
 * (closed, device error, out of memory) stops at once; so does an isolation in which every part failed (two or more
 * records, none enriched), and the same error failing {@value #SAME_ERROR_LIMIT} records in a row with no success
 * between them. Stopping throws {@link EngineFailureException}: the stream thread dies, its transaction is aborted,
 * nothing is dead-lettered and a restart or another instance retries. An {@link Error} from the engine is judged as
 * an exception is, wherever it was thrown. Runs on the stream thread only.
 */
final class Breaker {
    // the coordinator's name, as before the split: what log configurations know
    private static final Logger log = LoggerFactory.getLogger(BatchCoordinator.class);

    /** Consecutive failed records with one error message (reset by any success) before it counts as the engine's. */
    static final int SAME_ERROR_LIMIT = 3;

    /** Inference on the stream thread, as the executor does it there: a batch, its retry, a part of it. */
    interface Inference {
        BatchResult infer(List<EncodedDocument> docs);
    }

    private final BatchListener listener;
    private final Mailboxes mailboxes;
    private int sameErrorRun;
    private String lastError;

    Breaker(BatchListener listener, Mailboxes mailboxes) {
        this.listener = listener;
        this.mailboxes = mailboxes;
    }

    /** Runs a batch here; when the engine throws, isolates the records that make it throw. */
    void run(List<Pending> batch, BatchListener.Trigger trigger, long queueNanos, Inference here) {
        Throwable e = attempt(batch, trigger, queueNanos, here);
        if (e != null) {
            isolate(batch, trigger, queueNanos, e, here);
        }
    }

    /** A batch that came back with its results. */
    void succeeded(List<Pending> batch, BatchResult result, BatchListener.Trigger trigger, long queueNanos) {
        sameErrorRun = 0;
        Set<Owner> owners = new HashSet<>();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            owners.add(p.owner());
            mailboxes.deliver(
                    p.owner(), new Completed(p.ticket(), result.results().get(i), null));
        }
        listener.onBatch(result.stats(), owners.size(), trigger, queueNanos);
    }

    /** A batch that threw (here or on an inference thread): stops, or isolates its failing records, running parts here. */
    void failed(List<Pending> batch, BatchListener.Trigger trigger, long queueNanos, Throwable e, Inference here) {
        reportFailure(batch.size(), e);
        isolate(batch, trigger, queueNanos, e, here);
    }

    /** An engine-level error stops at once; any other is told to the listener. */
    private void reportFailure(int records, Throwable e) {
        if (EngineFailureException.isEngineLevel(e)) {
            throw engineFailed(records, e);
        }
        listener.onInferenceFailure(records, asRuntime(e));
    }

    /** Runs a part here: null when it succeeded (delivered), else the (reported) error it threw. */
    private Throwable attempt(List<Pending> part, BatchListener.Trigger trigger, long queueNanos, Inference here) {
        BatchResult result;
        try {
            result = here.infer(Pending.documents(part));
        } catch (RuntimeException | Error e) {
            reportFailure(part.size(), e);
            return e;
        }
        succeeded(part, result, trigger, queueNanos);
        return null;
    }

    /** What isolating one failed batch found: records that failed alone, and how many parts succeeded. */
    private static final class Isolation {
        final Inference here;
        final List<Pending> failed = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        int succeeded;

        Isolation(Inference here) {
            this.here = here;
        }
    }

    private void isolate(
            List<Pending> batch, BatchListener.Trigger trigger, long queueNanos, Throwable e, Inference here) {
        Isolation iso = new Isolation(here);
        split(batch, e, trigger, queueNanos, iso);
        if (iso.succeeded == 0 && iso.failed.size() >= 2) {
            stopping(iso.failed);
            throw new EngineFailureException(
                    "every part of a batch of " + batch.size() + " records failed (" + iso.errors.get(0)
                            + "): the engine, not the records; stopping without committing",
                    e);
        }
        for (int i = 0; i < iso.failed.size(); i++) {
            String error = iso.errors.get(i);
            sameErrorRun = error.equals(lastError) ? sameErrorRun + 1 : 1;
            lastError = error;
            if (sameErrorRun >= SAME_ERROR_LIMIT) {
                stopping(iso.failed);
                throw new EngineFailureException(
                        sameErrorRun + " records in a row failed with the same error (" + error
                                + "): the engine, not the records; stopping without committing",
                        e);
            }
        }
        for (int i = 0; i < iso.failed.size(); i++) {
            Pending p = iso.failed.get(i);
            log.warn("inference failed for one record; it goes to the dead-letter topic: {}", iso.errors.get(i));
            mailboxes.deliver(p.owner(), new Completed(p.ticket(), null, iso.errors.get(i)));
        }
    }

    /** Tells each owner which of its records were in the batch that stops the stream (each failed alone too). */
    private static void stopping(List<Pending> suspects) {
        Map<Owner, List<Long>> byOwner = new LinkedHashMap<>();
        for (Pending p : suspects) {
            byOwner.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(p.ticket());
        }
        byOwner.forEach(Owner::stopping);
    }

    /** A part that threw: a single record is a failed leaf, a bigger part is run again in halves. */
    private void split(List<Pending> part, Throwable e, BatchListener.Trigger trigger, long queueNanos, Isolation iso) {
        if (part.size() == 1) {
            iso.failed.add(part.get(0));
            iso.errors.add(describe(e));
            return;
        }
        int half = part.size() / 2;
        bisect(new ArrayList<>(part.subList(0, half)), trigger, queueNanos, iso);
        bisect(new ArrayList<>(part.subList(half, part.size())), trigger, queueNanos, iso);
    }

    private void bisect(List<Pending> part, BatchListener.Trigger trigger, long queueNanos, Isolation iso) {
        Throwable e = attempt(part, trigger, queueNanos, iso.here);
        if (e == null) {
            iso.succeeded += part.size();
        } else {
            split(part, e, trigger, queueNanos, iso);
        }
    }

    /** The engine broke (or a batch failed with an engine-level error): what the stream thread dies with. */
    private static EngineFailureException engineFailed(int records, Throwable e) {
        return e instanceof EngineFailureException efe
                ? efe
                : new EngineFailureException(
                        "inference failed on a batch of " + records + " records with an engine error (" + describe(e)
                                + "): stopping without committing",
                        e);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static RuntimeException asRuntime(Throwable e) {
        return e instanceof RuntimeException re ? re : new InferenceException(e.toString(), e);
    }
}
