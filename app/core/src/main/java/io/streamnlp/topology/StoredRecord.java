package io.streamnlp.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input record as the batch buffer keeps it in its changelogged store: the original bytes and
 * where they came from, so that whichever instance restores the store can parse, enrich and forward
 * it (or dead-letter it unchanged). Parsed text and tokens are not stored: they are derived again.
 */
public record StoredRecord(
        byte[] key,
        byte[] value,
        List<Header> headers,
        long timestamp,
        String topic,
        int partition,
        long offset,
        long enqueuedAtMs) {

    public Headers kafkaHeaders() {
        return new RecordHeaders(headers.toArray(new Header[0]));
    }

    public byte[] serialize() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (value == null ? 0 : value.length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1); // format version
            writeBytes(out, key);
            writeBytes(out, value);
            out.writeInt(headers.size());
            for (Header h : headers) {
                writeBytes(out, h.key().getBytes(StandardCharsets.UTF_8));
                writeBytes(out, h.value());
            }
            out.writeLong(timestamp);
            out.writeUTF(topic == null ? "" : topic);
            out.writeInt(partition);
            out.writeLong(offset);
            out.writeLong(enqueuedAtMs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static StoredRecord deserialize(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalStateException("unknown stored record format " + version);
            }
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            int n = in.readInt();
            List<Header> headers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                headers.add(new RecordHeader(new String(readBytes(in), StandardCharsets.UTF_8), readBytes(in)));
            }
            return new StoredRecord(
                    key, value, headers, in.readLong(), in.readUTF(), in.readInt(), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
