package io.streamnlp.topology;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many times each input record was in a batch that stopped the stream (the breaker judged the engine broken), kept
 * in a file in the task's state folder, written and synced before the stream thread dies: the transaction that would
 * carry it is aborted by the stop, so a store could not keep it. A record that stopped the stream {@link #LIMIT} times
 * is the record's fault, not the engine's, whatever the breaker saw (two identical poison records look like a broken
 * engine): it is dead-lettered as {@code INFERENCE_FAILED} instead of being inferred again, so no record can stop every
 * instance forever. The count is per instance (a task that moves starts counting afresh on its new owner), so a
 * record stops the stream at most {@link #LIMIT} times on each instance it reaches.
 */
final class StopLog {
    /** Stops in which a record took part before it is dead-lettered. */
    static final int LIMIT = 3;

    static final String FILE = "streamnlp-stops";

    private final Path file;
    /** "topic partition offset" of a record, to the stops it took part in. */
    private final Map<String, Integer> stops = new HashMap<>();

    private StopLog(Path file) {
        this.file = file;
    }

    /** The log of the task whose state folder is {@code dir}, or a log that keeps nothing when there is none. */
    static StopLog open(File dir) {
        StopLog log = new StopLog(dir == null ? null : dir.toPath().resolve(FILE));
        if (log.file != null && Files.exists(log.file)) {
            try {
                for (String line : Files.readAllLines(log.file, StandardCharsets.UTF_8)) {
                    int sp = line.lastIndexOf(' ');
                    if (sp > 0) {
                        log.stops.merge(line.substring(0, sp), Integer.parseInt(line.substring(sp + 1)), Math::max);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable log loses counts only: the breaker still stops the stream on a broken engine
                log.stops.clear();
            }
        }
        return log;
    }

    static String id(String topic, int partition, long offset) {
        return topic + ' ' + partition + ' ' + offset;
    }

    /** True when the record has stopped the stream {@link #LIMIT} times. */
    boolean exhausted(String topic, int partition, long offset) {
        return stops.getOrDefault(id(topic, partition, offset), 0) >= LIMIT;
    }

    int stops(String topic, int partition, long offset) {
        return stops.getOrDefault(id(topic, partition, offset), 0);
    }

    /** These records were in a batch that is stopping the stream: count it, on disk, before the thread dies. */
    void stopped(List<String> ids) {
        for (String id : ids) {
            stops.merge(id, 1, Integer::sum);
        }
        write();
    }

    /** The record has left (its events or its dead letter): it needs no count any more. */
    void forwarded(String topic, int partition, long offset) {
        if (!stops.isEmpty() && stops.remove(id(topic, partition, offset)) != null) {
            write();
        }
    }

    private void write() {
        if (file == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        stops.forEach((id, n) -> b.append(id).append(' ').append(n).append('\n'));
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the stop counts in " + file, e);
        }
    }
}
