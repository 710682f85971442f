package io.streamnlp.app;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stable identity for one instance, kept in its state directory, so that a restart after a crash is recognised as
 * the same instance: as a static group member ({@code group.instance.id}) it takes its partitions back without waiting
 * for the crashed member's session to time out. (Kafka Streams itself keeps its process id, and so the transactional
 * ids that fence the crashed producer's open transaction, in the same directory because the buffer store is
 * persistent.) Two running instances cannot share a state directory (Kafka Streams locks it), and one copied from
 * another instance's is refused ({@link #read}), so the id is unique.
 */
final class InstanceIdentity {
    private static final Logger log = LoggerFactory.getLogger(InstanceIdentity.class);
    static final String FILE = "streamnlp-instance.id";

    private InstanceIdentity() {}

    /** Adds {@code group.instance.id} for the main consumers unless static membership is off or the user set one. */
    static void apply(EnricherConfig c, Properties streamsProps) {
        if (!c.getBoolean(ConfigKeys.STATIC_MEMBERSHIP)) {
            return;
        }
        String name = ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
        for (String k :
                new String[] {name, StreamsConfig.consumerPrefix(name), StreamsConfig.mainConsumerPrefix(name)}) {
            if (streamsProps.containsKey(k)) {
                return; // the user's own stable name (e.g. a pod name) wins
            }
        }
        Path dir = Path.of(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG), c.get(ConfigKeys.APPLICATION_ID));
        String id = c.get(ConfigKeys.APPLICATION_ID) + "-" + read(dir);
        streamsProps.put(StreamsConfig.mainConsumerPrefix(name), id);
        log.info("static group membership as {} (id kept in {})", id, dir.resolve(FILE));
    }

    /** The id file's second line: the folder the identity was made for (a third names the host, for the operator). */
    private static final String MADE_FOR = "made-for ";

    /**
     * The id kept in {@code dir}, made there if there is none. The file also records the folder it was made for: an
     * identity found in another folder was copied there (a volume snapshot, {@code cp -r} of a state.dir to start a
     * second instance), and two instances with one identity fence each other (the same group.instance.id, the same
     * transactional ids) in a loop. That fails here, with what to do.
     */
    static String read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (Files.isRegularFile(f)) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                String s = lines.isEmpty() ? "" : lines.get(0).trim();
                if (!s.isEmpty()) {
                    String here = dir.toRealPath().toString();
                    String madeFor = lines.size() > 1 && lines.get(1).startsWith(MADE_FOR)
                            ? lines.get(1).substring(MADE_FOR.length()).trim()
                            : null;
                    if (madeFor == null) {
                        write(dir, f, s); // a file of an older version: it belongs here from now on
                    } else if (!madeFor.equals(here)) {
                        throw copied(f, s, madeFor);
                    }
                    return s;
                }
            }
            Files.createDirectories(dir);
            String id = UUID.randomUUID().toString().substring(0, 13);
            write(dir, f, id);
            return id;
        } catch (IOException e) {
            throw new ConfigException(unwritable(dir, e), e);
        }
    }

    /**
     * Fails (a configuration error, exit 2) when this process cannot create or write {@code state.dir}: before Kafka
     * Streams or the instance id touch it, so the message names the cause and the fix rather than a stack trace.
     */
    static void requireWritable(Path stateDir) {
        try {
            Files.createDirectories(stateDir);
            Files.delete(Files.createTempFile(stateDir, ".streamnlp-write-check", ".tmp"));
        } catch (IOException e) {
            throw new ConfigException(unwritable(stateDir, e), e);
        }
    }

    /** Why {@code dir} cannot be written, and what to do, in one line. */
    static String unwritable(Path dir, IOException e) {
        String uid = uid();
        String cause;
        if (e instanceof AccessDeniedException) {
            cause = "permission denied for uid " + uid;
        } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
            cause = fs.getReason() + ": " + fs.getFile();
        } else {
            cause = e.toString();
        }
        return ConfigKeys.STATE_DIR + "=" + dir + " cannot be written by this process (" + cause
                + "). Give the folder to uid " + uid + " (chown -R " + uid + " " + dir + "), or, in a container, keep "
                + ConfigKeys.STATE_DIR + " on a named volume rather than a host folder owned by root";
    }

    /** This process's numeric uid (what a chown needs; a container's user often has no name on the host). */
    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return System.getProperty("user.name", "?");
        }
    }

    private static void write(Path dir, Path f, String id) throws IOException {
        String record = id + "\n" + MADE_FOR + dir.toRealPath() + "\nhost " + host() + "\n";
        Path tmp = Files.createTempFile(dir, FILE, ".tmp");
        Files.writeString(tmp, record, StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ConfigException copied(Path f, String id, String madeFor) {
        return new ConfigException(f + " holds the instance identity " + id + " made for " + madeFor
                + ": this " + ConfigKeys.STATE_DIR + " was copied from another instance's, and two instances with one"
                + " identity fence each other in a loop (the same group.instance.id and transactional ids). Give each"
                + " instance its own " + ConfigKeys.STATE_DIR + " (an empty folder; or, if this folder was moved here"
                + " and the other instance no longer runs, delete " + f + ")");
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unknown host";
        }
    }
}
