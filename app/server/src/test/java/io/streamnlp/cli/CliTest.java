package io.streamnlp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.testing.ChildJvm;
import io.streamnlp.testing.InProcessCli;
import io.streamnlp.testing.InProcessCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes a shell user relies on, --help everywhere, and run --print-config layering. */
class CliTest {
    @TempDir
    Path tmp;

    /** Runs the CLI in this JVM, capturing what it prints. */
    static Result cli(String... args) {
        return InProcessCli.run(args);
    }

    @Test
    void everySubcommandHasHelp() throws Exception {
        for (String sub : new String[] {"run", "demo", "eval", "produce", "tail", "models"}) {
            Result r = cli(sub, "--help");
            assertEquals(0, r.code(), sub);
            assertTrue(r.out().contains("Usage: streamnlp " + sub), sub + ":\n" + r.out());
        }
        Result top = cli("--help");
        for (String sub : new String[] {"produce", "tail", "models"}) {
            assertTrue(top.out().contains(sub), top.out());
        }
    }

    @Test
    void usageErrorsAndBadConfigurationExitTwo() throws Exception {
        assertEquals(Main.EXIT_CONFIG, cli("run", "--no-such-flag").code());
        assertEquals(Main.EXIT_CONFIG, cli("no-such-command").code());
        Result typo = cli("run", "--print-config", "--set", "batch.max.record=3");
        assertEquals(Main.EXIT_CONFIG, typo.code());
        assertTrue(typo.err().contains("did you mean 'batch.max.records'"), typo.err());
        assertEquals(
                Main.EXIT_CONFIG,
                cli("run", "--config", tmp.resolve("missing.properties").toString())
                        .code());
        assertEquals(
                Main.EXIT_CONFIG,
                cli("produce", tmp.resolve("missing.jsonl").toString()).code());
        assertEquals(
                Main.EXIT_CONFIG,
                cli("produce", "--format", "xml", tmp.toString()).code());
        // eval's unit is checked before any broker starts
        Path conll = tmp.resolve("x.conll");
        Files.writeString(conll, "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\n");
        Path csv = tmp.resolve("x.csv");
        Files.writeString(csv, "1,some text\n");
        Result unit = cli("eval", "--unit", "paragraph", conll.toString());
        assertEquals(Main.EXIT_CONFIG, unit.code());
        assertTrue(unit.err().contains("--unit must be sentence or document"), unit.err());
        assertEquals(
                Main.EXIT_CONFIG,
                cli("eval", "--unit", "document", csv.toString()).code());
        assertTrue(cli("eval", "--help").out().replaceAll("\\s+", " ").contains("separated by a single newline"));
        // bench's scenario likewise, before any bundle opens
        Result scenario = cli("bench", "--scenario", "long");
        assertEquals(Main.EXIT_CONFIG, scenario.code());
        assertTrue(scenario.err().contains("--scenario must be mixed, short or all"), scenario.err());
    }

    @Test
    void aContinuingExceptionHandlerExitsTwoNamingTheKeyBeforeAnythingStarts() {
        for (String handler : new String[] {
            "kafka.processing.exception.handler=org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler",
            "kafka.production.exception.handler=com.example.SkipTooLarge"
        }) {
            Result r = cli(
                    "run",
                    "--set",
                    handler,
                    "--set",
                    "bootstrap.servers=localhost:1",
                    "--set",
                    "metrics.enabled=false");
            assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
            assertTrue(r.err().contains(handler), "names the key and value: " + r.err());
        }
    }

    @Test
    void badInputLineExitsTwoNamingTheLineBeforeSendingAnything() throws Exception {
        Path f = tmp.resolve("in.jsonl");
        Files.writeString(f, "{\"id\": 1, \"text\": \"ok\"}\n{\"id\": 2, \"text\": \n");
        // An unreachable broker would exit 1 after a timeout: exit 2 at once shows nothing was sent.
        Result r = cli("produce", f.toString(), "--format", "json", "--set", "bootstrap.servers=localhost:1");
        assertEquals(Main.EXIT_CONFIG, r.code());
        assertTrue(r.err().contains("in.jsonl:2"), r.err());
    }

    @Test
    void unreachableBrokerIsARuntimeFailure() throws Exception {
        Path f = tmp.resolve("in.txt");
        Files.writeString(f, "Angela Merkel visited Paris.\n");
        Result r = cli(
                "produce", f.toString(), "--set", "bootstrap.servers=localhost:1", "--set", "kafka.max.block.ms=1500");
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
    }

    @Test
    void printConfigLayersFileEnvironmentAndFlagsAndMasksSecrets() throws Exception {
        Path file = tmp.resolve("c.properties");
        Files.writeString(file, "batch.max.records=3\nbatch.max.tokens=100\ntopic.input=from-file\n");
        // The environment can only be set for a new process: run the real CLI in a child JVM.
        ChildJvm p = ChildJvm.start(
                Main.class.getName(),
                Map.of(
                        "STREAMNLP_BATCH_MAX_TOKENS",
                        "200",
                        "STREAMNLP_TOPIC_INPUT",
                        "from-env",
                        "STREAMNLP_METRICS_PORT",
                        "9555"),
                null,
                "run",
                "--print-config",
                "-c",
                file.toString(),
                "--set",
                "topic.input=from-flag",
                "--set",
                "kafka.sasl.jaas.config=org.Login required password=\"hunter2\";",
                "--set",
                "kafka.ssl.truststore.password=changeit");
        assertEquals(0, p.waitFor(60), p.stderr());
        String out = p.stdout();
        assertTrue(out.contains("batch.max.records=3\n"), "file over default:\n" + out);
        assertTrue(out.contains("batch.max.tokens=200\n"), "environment over file:\n" + out);
        assertTrue(out.contains("topic.input=from-flag\n"), "--set over environment:\n" + out);
        assertTrue(out.contains("metrics.port=9555\n"), out);
        assertTrue(out.contains("batch.max.wait.ms=50\n"), "defaults shown:\n" + out);
        assertTrue(out.contains("kafka.sasl.jaas.config=********\n"), out);
        assertTrue(out.contains("kafka.ssl.truststore.password=********\n"), out);
        assertFalse(out.contains("hunter2") || out.contains("changeit"), "no secret printed:\n" + out);
    }

    @Test
    void inputRecordsReadJsonTextAndConll() {
        var json = InputRecords.read(
                "{\"id\": \"a\", \"text\": \"x\"}\n\nplain text line\n{\"text\": \"no id\"}\n",
                InputRecords.Format.AUTO,
                "id",
                "t");
        assertEquals(3, json.size());
        assertEquals("a", json.get(0).key());
        assertEquals("plain text line", json.get(1).value());
        assertEquals(null, json.get(2).key());
        var text = InputRecords.read("{not json}\n", InputRecords.Format.TEXT, null, "t");
        assertEquals("{not json}", text.get(0).value());
        var conll = InputRecords.read(
                "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n",
                InputRecords.resolve(InputRecords.Format.AUTO, "x.conll"),
                null,
                "t");
        assertEquals(2, conll.size());
        assertEquals("{\"id\":\"s1\",\"text\":\"EU rejects\"}", conll.get(0).value());
        assertEquals("s2", conll.get(1).key());
    }
}
