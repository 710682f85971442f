package io.streamnlp.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unwritable state.dir is a configuration error that names the cause and the fix. */
class InstanceIdentityTest {
    @TempDir
    Path tmp;

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
