package io.streamnlp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instance's identity kept in its state.dir, and a state.dir copied to a second instance. */
class InstanceIdentityTest {
    @TempDir
    Path tmp;

    /** The group.instance.id an instance with this state.dir joins as. */
    private static String identity(Path stateDir) {
        EnricherConfig c =
                EnricherConfig.builder().set("state.dir", stateDir.toString()).build();
        Properties p = new Properties();
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        InstanceIdentity.apply(c, p);
        return p.getProperty(StreamsConfig.mainConsumerPrefix("group.instance.id"));
    }

    @Test
    void aRestartKeepsItsIdentityAndACopiedStateDirIsRefusedNamingTheFix() throws IOException {
        Path first = tmp.resolve("instance-a");
        String id = identity(first);
        assertEquals(id, identity(first), "a restart on the same state.dir is the same member");

        Path copy = tmp.resolve("instance-b");
        copyTree(first, copy); // e.g. a volume snapshot or cp -r to start a second instance
        ConfigException e = assertThrows(ConfigException.class, () -> identity(copy));
        assertTrue(
                e.getMessage().contains(copy.resolve("streamnlp").toString())
                        && e.getMessage().contains("its own state.dir"),
                e.getMessage());
        assertEquals(id, identity(first), "the original instance is unaffected");
    }

    @Test
    void anIdentityFileOfAnOlderVersionIsKeptAndRecordsWhereItBelongs() throws IOException {
        Path dir = tmp.resolve("old");
        Files.createDirectories(dir.resolve("streamnlp"));
        Files.writeString(dir.resolve("streamnlp").resolve(InstanceIdentity.FILE), "0123456789abc\n");
        assertEquals("streamnlp-0123456789abc", identity(dir));
        Path copy = tmp.resolve("old-copy");
        copyTree(dir, copy);
        assertThrows(ConfigException.class, () -> identity(copy));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
