package io.streamnlp.api.dlq;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Dead-letter records: the original key, value and headers unchanged, plus headers naming the error,
 * a readable reason, and where the record came from. Nothing else is added (no stack traces, no
 * configuration), so the DLQ never leaks more than the record and why it was rejected.
 */
public final class DeadLetters {
    public static final String ERROR = "streamnlp.error";
    public static final String REASON = "streamnlp.reason";
    public static final String SOURCE_TOPIC = "streamnlp.source.topic";
    public static final String SOURCE_PARTITION = "streamnlp.source.partition";
    public static final String SOURCE_OFFSET = "streamnlp.source.offset";
    static final int MAX_REASON_CHARS = 500;

    private DeadLetters() {}

    public static Headers headers(
            Headers original, RejectReason reason, String message, String topic, int partition, long offset) {
        RecordHeaders h = new RecordHeaders(original == null ? new Header[0] : original.toArray());
        String m = message == null ? reason.description() : message;
        if (m.length() > MAX_REASON_CHARS) {
            m = m.substring(0, MAX_REASON_CHARS) + "...";
        }
        h.add(ERROR, reason.name().getBytes(StandardCharsets.UTF_8));
        h.add(REASON, m.getBytes(StandardCharsets.UTF_8));
        h.add(SOURCE_TOPIC, String.valueOf(topic).getBytes(StandardCharsets.UTF_8));
        h.add(SOURCE_PARTITION, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        h.add(SOURCE_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        return h;
    }
}
