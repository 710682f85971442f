package io.streamnlp.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The instance's identity kept in its state.dir, a state.dir copied to a second instance, an unwritable one. */
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

    @Test
    void permissionDeniedNamesTheUidAndTheFix() {
        // what a root-owned host folder bind-mounted into the image (uid 10001) gives
        String m = InstanceIdentity.unwritable(
                Path.of("/var/lib/streamnlp"), new AccessDeniedException("/var/lib/streamnlp/streamnlp"));
        assertTrue(m.startsWith("state.dir=/var/lib/streamnlp cannot be written by this process"), m);
        assertTrue(m.matches(".*\\(permission denied for uid \\d+\\)\\..*"), m);
        assertTrue(m.matches(".*chown -R \\d+ /var/lib/streamnlp\\).*"), m);
        assertTrue(m.contains("named volume"), m);
    }

    @Test
    void aStateDirUnderAFileFailsAsConfigurationNamingWhy() throws Exception {
        // root (as these tests run) may write anywhere; a path under a regular file cannot be a folder for anyone
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        ConfigException e =
                assertThrows(ConfigException.class, () -> InstanceIdentity.requireWritable(file.resolve("state")));
        assertTrue(
                e.getMessage().startsWith("state.dir=" + file.resolve("state") + " cannot be written"), e.getMessage());
        assertTrue(e.getMessage().contains("chown -R"), e.getMessage());
        InstanceIdentity.requireWritable(tmp.resolve("fresh/state")); // a folder it can make passes
        assertTrue(Files.isDirectory(tmp.resolve("fresh/state")));
        try (var left = Files.list(tmp.resolve("fresh/state"))) {
            assertTrue(left.findAny().isEmpty(), "the write check leaves nothing behind");
        }
    }
}
