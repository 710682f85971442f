package io.streamnlp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI writes UTF-8 whatever the platform's charset: a container with no locale (nvidia/cuda sets none) gives Java
 * 17 ASCII as its default, and text used to come out as {@code Z?rich}.
 */
class CliCharsetTest {
    @TempDir
    Path tmp;

    @Test
    void outputAndErrorsAreUtf8UnderAnAsciiPlatformCharset() throws Exception {
        // a properties file is read as UTF-8; arguments would be decoded with the (ASCII) platform charset
        Path config = tmp.resolve("zurich.properties");
        Files.writeString(config, "state.dir=/var/lib/Zürich\n", StandardCharsets.UTF_8);
        List<String> ascii = List.of(
                "-Dfile.encoding=ANSI_X3.4-1968",
                "-Dsun.stdout.encoding=ANSI_X3.4-1968",
                "-Dsun.stderr.encoding=ANSI_X3.4-1968",
                "-Dsun.jnu.encoding=ANSI_X3.4-1968");
        Map<String, String> noLocale = Map.of("LANG", "C", "LC_ALL", "C");

        ChildJvm print = ChildJvm.main(Main.class.getName())
                .jvmArgs(ascii)
                .env(noLocale)
                .args("run", "--print-config", "--config", config.toString())
                .start();
        assertEquals(0, print.await(Duration.ofSeconds(60)), print.stderr());
        assertTrue(print.stdout().contains("state.dir=/var/lib/Zürich"), "stdout is UTF-8:\n" + print.stdout());

        // (a path with a non-ASCII name cannot even be opened under an ASCII platform charset: a topic name then)
        Path bad = tmp.resolve("bad-topic.properties");
        Files.writeString(bad, "topic.input=Zürich-texts\n", StandardCharsets.UTF_8);
        ChildJvm fail = ChildJvm.main(Main.class.getName())
                .jvmArgs(ascii)
                .env(noLocale)
                .args("run", "--config", bad.toString())
                .start();
        assertEquals(Main.EXIT_CONFIG, fail.await(Duration.ofSeconds(60)), fail.stderr());
        assertTrue(
                fail.stderr().lines().anyMatch(l -> l.startsWith("error: ") && l.contains("Zürich-texts")),
                "the error line on stderr is UTF-8:\n" + fail.stderr());
    }
}
