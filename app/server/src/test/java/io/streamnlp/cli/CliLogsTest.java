package io.streamnlp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamnlp.fixtures.LexiconBundle;
import io.streamnlp.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commands log: nothing alarming on a normal run, and JSON lines that parse when asked for. */
class CliLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * run against a port nothing listens on: it loads the models, logs, and fails at the cluster check (exit 1). The
     * small lexicon bundle and no batch check, to get there quickly: these tests are about the log lines.
     */
    private InProcessCli.Result runUnreachable(String... options) throws Exception {
        Path lexicon = LexiconBundle.write(tmp.resolve("lexicon"));
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(options));
        args.addAll(List.of(
                "--set",
                "ner.model=" + lexicon,
                "--set",
                "topic.model=" + lexicon,
                "--set",
                "startup.batch.check=off",
                "--set",
                "bootstrap.servers=localhost:1",
                "--set",
                "startup.timeout.ms=1500",
                "--set",
                "metrics.port=0",
                "--set",
                "state.dir=" + tmp.resolve("state")));
        return InProcessCli.run(args.toArray(String[]::new));
    }

    @Test
    void aNormalDemoLogsNoWarningAndNoError() throws Exception {
        InProcessCli.Result r = InProcessCli.run("demo", "--no-color");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("● demo-1"), r.out());
        // the text format is "HH:mm:ss.SSS [thread] LEVEL Logger - message"
        assertTrue(
                r.err().contains(" INFO EnricherApp - streams state REBALANCING -> RUNNING"),
                "our INFO lines are there:\n" + r.err());
        List<String> alarming = r.err()
                .lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .toList();
        assertEquals(List.of(), alarming, "a normal demo logs no WARN or ERROR line:\n" + r.err());
    }

    @Test
    void quietLeavesOnlyWarningsAndErrors() throws Exception {
        InProcessCli.Result r = runUnreachable("--quiet");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        assertFalse(r.err().contains(" INFO "), r.err());
        assertTrue(r.err().contains("error: cannot reach the Kafka cluster"), r.err());
        assertEquals(
                Main.EXIT_CONFIG,
                InProcessCli.run("run", "--quiet", "--verbose", "--print-config")
                        .code());
    }

    @Test
    void runLogsJsonLinesWithTimeLevelLoggerThreadAndMessage() throws Exception {
        InProcessCli.Result r = runUnreachable("--log-format", "json");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertFalse(lines.isEmpty());
        boolean info = false, error = false;
        for (String line : lines) {
            JsonNode e = JSON.readTree(line); // every line on stderr is one JSON object, the final error too
            assertTrue(e.isObject(), line);
            for (String field : new String[] {"time", "level", "logger", "thread", "message"}) {
                assertTrue(e.path(field).isTextual(), field + " in " + line);
            }
            assertTrue(e.path("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
            info |= e.path("level").asText().equals("INFO")
                    && e.path("logger").asText().startsWith("io.streamnlp.");
            error |= e.path("level").asText().equals("ERROR")
                    && e.path("message").asText().contains("cannot reach the Kafka cluster");
        }
        assertTrue(info, "our INFO lines:\n" + r.err());
        assertTrue(error, "the command's error is a JSON line too:\n" + r.err());
        assertFalse(
                InProcessCli.run("run", "--log-format", "xml", "--print-config").code() == 0);
        // the next command in this JVM is back to text
        InProcessCli.Result text = runUnreachable();
        assertTrue(text.err().contains("error: cannot reach the Kafka cluster"), text.err());
        assertFalse(text.err().startsWith("{"), text.err());
    }

    @Test
    void anUnwritableStateDirIsAConfigurationErrorNamingTheCauseAndTheFix() throws Exception {
        // tests run as root, whom no permission stops: a state.dir under a regular file cannot be made by anyone
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        Path lexicon = LexiconBundle.write(tmp.resolve("lexicon"));
        InProcessCli.Result r = InProcessCli.run(
                "run",
                "--set",
                "ner.model=" + lexicon,
                "--set",
                "topic.model=" + lexicon,
                "--set",
                "metrics.port=0",
                "--set",
                "state.dir=" + file.resolve("state"));
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(
                errors.get(0)
                        .startsWith(
                                "error: state.dir=" + file.resolve("state") + " cannot be written by this process ("),
                r.err());
        assertTrue(errors.get(0).contains("chown -R"), r.err());
        assertFalse(r.err().contains("UncheckedIOException"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
    }

    @Test
    void anUnreachableClusterIsOneClearErrorWithoutTheClientsConnectionWarnings() throws Exception {
        InProcessCli.Result r = runUnreachable("--set", "startup.timeout.ms=4000");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        List<String> alarming = r.err()
                .lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .toList();
        // the Kafka clients' NetworkClient warned once per reconnect attempt (34 lines in 30 s)
        assertEquals(List.of(), alarming, "only the one error line:\n" + r.err());
        assertEquals(
                1,
                r.err()
                        .lines()
                        .filter(l -> l.startsWith("error: cannot reach the Kafka cluster"))
                        .count(),
                r.err());
    }
}
