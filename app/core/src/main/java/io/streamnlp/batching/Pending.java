package io.streamnlp.batching;

import io.streamnlp.api.engine.EncodedDocument;
import java.util.ArrayList;
import java.util.List;

/** A record waiting in a coordinator: its task, its number in that task's store, its document, when it came. */
record Pending(Owner owner, long ticket, EncodedDocument doc, long enqueuedNanos) {

    static List<EncodedDocument> documents(List<Pending> batch) {
        List<EncodedDocument> docs = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            docs.add(p.doc());
        }
        return docs;
    }
}
