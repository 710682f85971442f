package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamnlp.app.TopicAdmin;
import io.streamnlp.cli.Main;
import io.streamnlp.config.Topics;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import io.streamnlp.testing.InProcessCli;
import io.streamnlp.testing.InProcessCli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code produce} and {@code tail} against a real broker, through the processor for tail. */
@WithKafka
class CliIT {
    static TestBroker kafka;

    @TempDir
    static Path tmp;

    static final Path BUNDLE = ItBundles.lexiconBundle();

    static Result cli(String... args) {
        return InProcessCli.run(args);
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
        try (EventCollector c = new EventCollector(kafka.bootstrapServers(), Map.of(), List.of(topic))) {
            assertTrue(c.collectUntil(rs -> rs.size() >= n, Duration.ofSeconds(30)), "records arrived on " + topic);
            return List.copyOf(c.records());
        }
    }

    /** A new topic to produce to. */
    private static String fresh(TestNames names) {
        Topics t = names.topics();
        TopicAdmin.ensureTopics(kafka.bootstrapServers(), Map.of(), t, 1, 1, 1 << 20);
        return t.input();
    }

    /**
     * A processor started before its input topic exists: Kafka Streams never creates a source topic, and used to fail
     * at its first rebalance with stack traces and "the stream stopped after a fatal error". The start-up check names
     * the topic and the way out instead, before the stream starts.
     */
    @Test
    void runWithoutItsInputTopicFailsAtStartNamingTheTopic(TestNames names) {
        Topics t = names.topics(); // not created
        Result r = cli(
                "run",
                "--set",
                "bootstrap.servers=" + kafka.bootstrapServers(),
                "--set",
                "application.id=" + names.applicationId(),
                "--set",
                "topic.input=" + t.input(),
                "--set",
                "ner.model=" + BUNDLE,
                "--set",
                "topic.model=" + BUNDLE,
                "--set",
                "metrics.port=0",
                "--set",
                "state.dir=" + tmp.resolve("state-" + names.applicationId()));
        assertEquals(Main.EXIT_FAILURE, r.code(), r.err());
        List<String> errors =
                r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains("input topic " + t.input()), errors.get(0));
        assertTrue(errors.get(0).contains("--create-topics"), errors.get(0));
        assertTrue(
                !r.err().contains("MissingSourceTopicException") && !r.err().contains("REBALANCING"),
                "it fails before the stream starts:\n" + r.err());
    }

    @Test
    void produceSendsJsonLinesWithKeysAndConllSentencesAsRecords(TestNames names) throws Exception {
        String topic = fresh(names);
        Path jsonl = tmp.resolve("docs.jsonl");
        Files.writeString(
                jsonl,
                "{\"id\":\"a1\",\"text\":\"Angela Merkel in Paris\"}\n\nplain line\n{\"id\":7,\"text\":\"x\"}\n");
        Result r = cli(
                "produce",
                jsonl.toString(),
                "--topic",
                topic,
                "--key-field",
                "id",
                "--set",
                "bootstrap.servers=" + kafka.bootstrapServers());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("produced 3 records to " + topic), r.err());
        var records = read(topic, 3);
        assertEquals(3, records.size());
        assertEquals("a1", new String(records.get(0).key(), StandardCharsets.UTF_8));
        assertEquals(
                "{\"id\":\"a1\",\"text\":\"Angela Merkel in Paris\"}",
                new String(records.get(0).value(), StandardCharsets.UTF_8));
        assertEquals(null, records.get(1).key(), "a text line has no key");
        assertEquals("plain line", new String(records.get(1).value(), StandardCharsets.UTF_8));
        assertEquals("7", new String(records.get(2).key(), StandardCharsets.UTF_8));

        String conllTopic = fresh(names);
        Path conll = tmp.resolve("docs.conll");
        Files.writeString(
                conll,
                "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n");
        r = cli(
                "produce",
                conll.toString(),
                "--topic",
                conllTopic,
                "--set",
                "bootstrap.servers=" + kafka.bootstrapServers());
        assertEquals(0, r.code(), r.err());
        var sentences = read(conllTopic, 2);
        assertEquals(2, sentences.size());
        JsonNode second = EventCollector.json(sentences.get(1));
        assertEquals("Peter Blackburn", second.path("text").asText());
        assertEquals("s2", second.path("id").asText());
    }

    @Test
    void tailPrintsTheProcessorsEventsWithEntitiesMarked(TestNames names) throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 1, Map.of())) {
            p.start();
            p.send("t1", "{\"id\":\"t1\",\"text\":\"Angela Merkel visited Paris after the election.\"}");
            p.send("t2", "{\"id\":\"t2\",\"text\":\"Football in Paris.\"}");
            p.flush();
            String bootstrap = "bootstrap.servers=" + kafka.bootstrapServers();
            Result ents = cli(
                    "tail",
                    "--topic",
                    p.topics.entities(),
                    "--from-beginning",
                    "--max",
                    "2",
                    "--no-color",
                    "--idle-timeout",
                    "PT60S",
                    "--set",
                    bootstrap);
            assertEquals(0, ents.code(), ents.err());
            assertTrue(
                    ents.out().contains("● t1\n  [Angela Merkel]{PER} visited [Paris]{LOC} after the election."),
                    ents.out());
            assertTrue(ents.out().contains("entities: PER=Angela Merkel"), ents.out());
            assertTrue(ents.out().contains("● t2\n  Football in [Paris]{LOC}."), ents.out());

            Result tops = cli(
                    "tail",
                    "--topic",
                    p.topics.topics(),
                    "--from-beginning",
                    "--max",
                    "2",
                    "--no-color",
                    "--idle-timeout",
                    "PT60S",
                    "--set",
                    bootstrap);
            assertEquals(0, tops.code(), tops.err());
            assertTrue(tops.out().contains("topic: World ("), tops.out());
            assertTrue(tops.out().contains("● t2\n  Football in Paris.\n  topic: Sports ("), tops.out());

            // Nothing new arrives: --idle-timeout ends a tail that starts at the end.
            long t0 = System.nanoTime();
            Result idle = cli("tail", "--topic", p.topics.entities(), "--idle-timeout", "PT1S", "--set", bootstrap);
            assertEquals(0, idle.code(), idle.err());
            assertEquals("", idle.out());
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L);
        }
    }

    @Test
    void runServesReadinessAndExitsZeroOnSigterm(TestNames names) throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (Pipeline p =
                new Pipeline(kafka, names, BUNDLE, 1, Map.of())) { // topics and configuration only; not started
            java.util.List<String> args = new java.util.ArrayList<>(List.of("run"));
            p.config.asMap().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    args.add("--set");
                    args.add(k + "=" + v);
                }
            });
            args.addAll(List.of("--set", "metrics.port=" + port));
            io.streamnlp.testing.ChildJvm run = io.streamnlp.testing.ChildJvm.start(
                    Main.class.getName(), Map.of(), null, args.toArray(String[]::new));
            try {
                var http = java.net.http.HttpClient.newHttpClient();
                var ready = java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://localhost:" + port + "/ready"))
                        .build();
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                int status = -1;
                while (status != 200 && System.nanoTime() < deadline && run.isAlive()) {
                    try {
                        status = http.send(ready, java.net.http.HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                    } catch (java.io.IOException notYet) {
                        // not listening yet
                    }
                    Thread.sleep(200);
                }
                assertEquals(200, status, run.stderr());
                p.send("r1", "{\"id\":\"r1\",\"text\":\"Angela Merkel\"}");
                p.flush();
                var events = read(p.topics.entities(), 1);
                assertEquals("r1", EventCollector.json(events.get(0)).path("id").asText());
            } finally {
                run.stop(); // SIGTERM
            }
            assertEquals(0, run.waitFor(30), "a clean stop exits 0: " + run.stderr());
        }
    }
}
