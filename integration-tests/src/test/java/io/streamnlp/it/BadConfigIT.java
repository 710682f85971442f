package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.cli.Main;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.testing.InProcessCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad configuration fails fast at start-up: exit code 2 (1 for an unreachable cluster) and exactly one
 * {@code error:} line naming what is wrong (the CLI in-process, stderr captured).
 */
class BadConfigIT {
    @TempDir
    static Path tmp;

    static Path good;

    @BeforeAll
    static void bundle() {
        good = ItBundles.lexiconBundle();
    }

    record Result(int code, String err, long ms) {
        /** The one error line. */
        String error() {
            List<String> lines = err.lines().filter(l -> l.startsWith("error:")).toList();
            assertEquals(1, lines.size(), "exactly one error line in:\n" + err);
            return lines.get(0);
        }
    }

    static Result run(String... args) {
        InProcessCli.Result r = InProcessCli.run(args);
        System.out.print(r.out());
        System.err.print(r.err());
        return new Result(r.code(), r.err(), r.millis());
    }

    static String[] runWith(Path bundle, String... sets) {
        List<String> a = new ArrayList<>(List.of(
                "run",
                "--set",
                ConfigKeys.NER_MODEL + "=" + bundle,
                "--set",
                ConfigKeys.TOPIC_MODEL + "=" + bundle,
                "--set",
                ConfigKeys.INFERENCE_DEVICE + "=cpu",
                "--set",
                ConfigKeys.BOOTSTRAP_SERVERS + "=localhost:1",
                "--set",
                ConfigKeys.STARTUP_TIMEOUT_MS + "=3000",
                "--set",
                ConfigKeys.METRICS_PORT + "=0"));
        for (String s : sets) {
            a.add("--set");
            a.add(s);
        }
        return a.toArray(String[]::new);
    }

    static Path copy(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(good)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    static void assertFails(Result r, String... mentions) {
        assertEquals(Main.EXIT_CONFIG, r.code(), r.err());
        String line = r.error();
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' in: " + line);
        }
    }

    @Test
    void missingModelFile() throws Exception {
        Path b = copy("no-model");
        Files.delete(b.resolve("model.onnx"));
        assertFails(run(runWith(b)), "missing file model.onnx", b.toString());
    }

    @Test
    void corruptModelFile() throws Exception {
        Path b = copy("corrupt");
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Files.write(b.resolve("model.onnx"), junk);
        assertFails(run(runWith(b)), "model.onnx", "cannot load the model");
    }

    @Test
    void tokenizerThatDoesNotMatchTheModelsVocabulary() throws Exception {
        Path b = copy("vocab");
        Path config = b.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"vocab_size\" : 30522", "\"vocab_size\" : 21128"));
        assertTrue(Files.readString(config).contains("21128"));
        assertFails(run(runWith(b)), "tokenizer.json", "30522", "21128", "do not match");
    }

    @Test
    void labelMapWiderOrNarrowerThanTheLogits() throws Exception {
        Path b = copy("labels");
        Path manifest = b.resolve("bundle.json");
        String m = Files.readString(manifest);
        String narrowed = m.replaceFirst("\"labels\": \\[[^]]*]", "\"labels\": [\"O\",\"B-PER\",\"I-PER\"]");
        assertTrue(!narrowed.equals(m));
        Files.writeString(manifest, narrowed);
        assertFails(run(runWith(b)), "bundle.json", "3 labels", "token_logits", "9 logits");
    }

    @Test
    void unknownConfigKey() {
        assertFails(
                run(runWith(good, "batch.max.recrods=5")),
                "unknown configuration key 'batch.max.recrods'",
                "did you mean 'batch.max.records'");
    }

    /** An unreachable cluster is a runtime failure (exit 1, as documented), reported the same way. */
    static void assertUnreachable(Result r) {
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        String line = r.error();
        for (String m :
                List.of("cannot reach the Kafka cluster", "bootstrap.servers=localhost:1", "startup.timeout.ms=3000")) {
            assertTrue(line.contains(m), "'" + m + "' in: " + line);
        }
    }

    @Test
    void unreachableBrokerFailsWithinTheStartupTimeout() {
        Result r = run(runWith(good));
        assertUnreachable(r);
        assertTrue(r.ms() < 20_000, "failed after " + r.ms() + " ms");
    }

    /**
     * Work per batch is bounded by time on the device: a huge input limit or token budget is no failure any more (the
     * budget is lowered, long records are segmented); only a model too slow for one window in time fails.
     */
    @Test
    void aModelTooSlowForOneWindowFailsButBigBudgetsAreBoundedByTime() {
        // (worst case rounds up to 1 ms, so 1 ms of transaction is always too little; Kafka wants it >=
        // commit.interval.ms)
        assertFails(
                run(runWith(good, ConfigKeys.TRANSACTION_TIMEOUT_MS + "=1", ConfigKeys.COMMIT_INTERVAL_MS + "=1")),
                "smallest batch",
                "transaction.timeout.ms=1 ms");
        assertFails(run(runWith(good, ConfigKeys.TRANSACTION_TIMEOUT_MS + "=50")), "commit interval");
        assertFails(
                run(runWith(good, ConfigKeys.PROCESSING_GUARANTEE + "=at_least_once", "kafka.max.poll.interval.ms=1")),
                "kafka.max.poll.interval.ms=1 ms");
        // 60 MB inputs and 1 s transactions: segmented, and batches lowered to what fits a quarter second
        assertUnreachable(run(
                runWith(good, ConfigKeys.INPUT_MAX_BYTES + "=60000000", ConfigKeys.TRANSACTION_TIMEOUT_MS + "=1000")));
        assertUnreachable(run(runWith(
                good,
                ConfigKeys.BATCH_MAX_TOKENS + "=100000000",
                ConfigKeys.PROCESSING_GUARANTEE + "=at_least_once",
                "kafka.max.poll.interval.ms=1000")));
        assertUnreachable(run(runWith(good)));
    }

    /** An output topic that is the input topic would re-enrich its own output forever: refused before anything starts. */
    @Test
    void outputTopicThatIsTheInputTopicFailsFast() {
        Result r = run(runWith(good, ConfigKeys.TOPIC_ENTITIES + "=text.input"));
        assertFails(r, "topic.input=text.input", "topic.entities=text.input", "loop");
        assertTrue(r.ms() < 20_000, "failed after " + r.ms() + " ms");
        assertFails(
                run(runWith(good, ConfigKeys.TOPIC_DLQ + "=text.topics")),
                "topic.topics=text.topics",
                "topic.dlq=text.topics");
        assertFails(run(runWith(good, ConfigKeys.TOPIC_INPUT + "=a,b")), "topic.input=a,b", "not a Kafka topic name");
    }

    /** Negative or absurd sizes are configuration errors naming the key (exit 2), not a stack trace mid-start (exit 1). */
    @Test
    void outOfBoundsBatchAndSizeSettingsFailNamingTheKey() {
        assertFails(run(runWith(good, ConfigKeys.BATCH_MAX_WAIT_MS + "=-1")), "batch.max.wait.ms=-1");
        assertFails(
                run(runWith(good, ConfigKeys.INPUT_MAX_BYTES + "=2147483647")), "input.max.bytes=2147483647", "64 MiB");
        assertFails(
                run(runWith(good, ConfigKeys.BATCH_MAX_RECORDS + "=3000000")), "batch.max.records=3000000", "2097152");
        // known only once the bundle is loaded: its max length sets the tensor sizes
        assertFails(
                run(runWith(good, ConfigKeys.INFERENCE_MAX_BUCKET_ROWS + "=2000000000")),
                "inference.max.bucket.rows=2000000000",
                "overflows");
    }

    /** Every bad value is reported in the one error at once (each naming the key, the value and what is allowed), before anything starts. */
    @Test
    void threeBadValuesAreAllReportedInOneError() {
        Result r = run(runWith(
                good,
                ConfigKeys.BATCH_MAX_WAIT_MS + "=-1",
                ConfigKeys.INFERENCE_DEVICE + "=tpu",
                ConfigKeys.METRICS_PORT + "=70000"));
        assertFails(r, "3 configuration problems");
        for (String m : List.of(
                "batch.max.wait.ms=-1 must be between 0 and 86400000",
                "inference.device=tpu must be one of cpu, cuda, auto",
                "metrics.port=70000 must be between 0 and 65535")) {
            assertTrue(
                    r.err().lines().anyMatch(l -> l.trim().equals(m) || l.trim().startsWith(m + " ")),
                    "'" + m + "' in:\n" + r.err());
        }
        assertTrue(r.ms() < 20_000, "failed after " + r.ms() + " ms");
    }

    /** kafka.transaction.timeout.ms is the transaction timeout Kafka Streams uses, so it is the one the batch check reads. */
    @Test
    void kafkaOverrideOfTheTransactionTimeoutIsTheOneChecked() {
        assertFails(run(runWith(good, "kafka.transaction.timeout.ms=1")), "kafka.transaction.timeout.ms=1 ms");
    }

    @Test
    void everyErrorLineIsAloneAndExitCodeIsNonZero() {
        Result r = run("run", "--config", tmp.resolve("nope.properties").toString());
        assertFails(r, "nope.properties", "does not exist");
        assertTrue(
                Arrays.stream(r.err().split("\n")).noneMatch(l -> l.contains("\tat ")), "no stack trace:\n" + r.err());
    }
}
