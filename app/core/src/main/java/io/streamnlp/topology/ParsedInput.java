package io.streamnlp.topology;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.api.dlq.RejectReason;

/** A parsed input record: either text to enrich or the reason it cannot be (kstreamplify-style). */
sealed interface ParsedInput {

    /**
     * @param id     document id (JSON id field, else the record key, else topic-partition-offset)
     * @param text   the text to enrich
     * @param extras the input's other JSON fields, carried to the outputs (empty for plain text)
     */
    record Accepted(String id, String text, ObjectNode extras) implements ParsedInput {}

    record Rejected(RejectReason reason, String detail) implements ParsedInput {
        public String message() {
            return detail == null || detail.isEmpty() ? reason.description() : reason.description() + ": " + detail;
        }
    }
}
