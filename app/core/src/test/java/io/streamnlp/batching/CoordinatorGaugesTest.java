package io.streamnlp.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnlp.api.engine.BatchResult;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.api.engine.EncodedDocument;
import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.api.event.Enrichment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The registry's gauges read the coordinators' counts from another thread (the metrics scrape) while the stream
 * threads change them: every value read must be one the counts really had.
 */
class CoordinatorGaugesTest {
    /** An engine that does nothing but answer: the test is about the coordinator's counts, not inference. */
    static final class Instant implements EnrichmentEngine {
        @Override
        public EncodedDocument encode(String text) {
            return new EncodedDocument() {
                @Override
                public String text() {
                    return text;
                }

                @Override
                public int tokenCount() {
                    return 3;
                }

                @Override
                public int maxWindowLength() {
                    return 3;
                }
            };
        }

        @Override
        public BatchResult infer(List<? extends EncodedDocument> documents) {
            List<Enrichment> out = new ArrayList<>();
            for (int i = 0; i < documents.size(); i++) {
                out.add(new Enrichment(List.of(), null));
            }
            return new BatchResult(out, new BatchStats(documents.size(), documents.size(), 1, 0, 0, 0));
        }

        @Override
        public int lanes() {
            return 2;
        }

        @Override
        public String nerModel() {
            return "n";
        }

        @Override
        public String topicModel() {
            return null;
        }

        @Override
        public void close() {}
    }

    static final class Task implements Owner {}

    @Test
    void gaugesReadFromAnotherThreadOnlySeeCountsTheCoordinatorHad() throws Exception {
        int records = 3_000; // the queue grows (and its array is copied) while the gauge reads it
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Instant engine = new Instant();
        BatchCoordinator c = new BatchCoordinator(
                engine,
                new BatchPolicy(records, 1_000_000, Duration.ZERO),
                BatchListener.NONE,
                new Lanes(engine.lanes()),
                pool);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> impossible = Collections.synchronizedList(new ArrayList<>());
        Thread scraper = new Thread(() -> {
            while (!stop.get()) {
                int pending = c.pendingRecords();
                int inFlight = c.inFlight();
                if (pending < 0 || pending > records) {
                    impossible.add("pending " + pending);
                }
                if (inFlight < 0 || inFlight > 3) {
                    impossible.add("in flight " + inFlight);
                }
            }
        });
        scraper.start();
        try {
            Task t = new Task();
            long seq = 0;
            for (int round = 0; round < 60 && impossible.isEmpty(); round++) {
                for (int i = 0; i < records; i++) {
                    c.add(t, seq++, engine.encode("x"), System.nanoTime());
                }
                do { // the batch goes once a lane is free (the last one may still be releasing them)
                    c.flushIfFull();
                } while (c.pendingRecords() > 0);
                c.awaitInFlight(10_000);
                c.drain(t);
                if (round % 2 == 1) {
                    c.remove(t); // a revoked task: its queue entries go at once
                }
            }
        } finally {
            stop.set(true);
            scraper.join();
            pool.shutdownNow();
        }
        assertEquals(List.of(), impossible.subList(0, Math.min(5, impossible.size())), "values the counts never had");
    }

    @Test
    void theInFlightGaugeNeverReadsATicketCountAheadOfItsDeliveries() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Instant engine = new Instant();
        BatchCoordinator c = new BatchCoordinator(
                engine, new BatchPolicy(1, 1_000_000, Duration.ZERO), BatchListener.NONE, new Lanes(2), pool);
        AtomicBoolean stop = new AtomicBoolean();
        List<String> impossible = Collections.synchronizedList(new ArrayList<>());
        Thread scraper = new Thread(() -> {
            while (!stop.get()) {
                int inFlight = c.inFlight();
                // at most one batch per lane, and one finished but not yet collected
                if (inFlight < 0 || inFlight > 3) {
                    impossible.add("in flight " + inFlight);
                }
            }
        });
        scraper.start();
        try {
            Task t = new Task();
            for (long seq = 0; seq < 100_000 && impossible.isEmpty(); seq++) {
                c.add(t, seq, engine.encode("x"), System.nanoTime());
                c.flushIfFull(); // one batch of one record, handed to an inference thread
                c.drain(t); // and delivered as soon as it is back
            }
        } finally {
            stop.set(true);
            scraper.join();
            pool.shutdownNow();
        }
        assertEquals(List.of(), impossible.subList(0, Math.min(5, impossible.size())), "values the count never had");
    }
}
