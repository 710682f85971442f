package io.streamnlp.app;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * persistent.) Two running instances cannot share a state directory (Kafka Streams locks it), so the id is unique.
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

    static String read(Path dir) {
        Path f = dir.resolve(FILE);
        try {
            if (Files.isRegularFile(f)) {
                String s = Files.readString(f, StandardCharsets.UTF_8).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
            Files.createDirectories(dir);
            String id = UUID.randomUUID().toString().substring(0, 13);
            Path tmp = Files.createTempFile(dir, FILE, ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot keep the instance id in " + f + " (" + ConfigKeys.STATE_DIR + ")", e);
        }
    }
}
