package io.streamnlp.it;

import static io.streamnlp.it.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.TestBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import io.streamnlp.local.EventCollector;
import io.streamnlp.metrics.Monitoring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics, /health and /ready over real HTTP against a processor on a real broker. */
@WithKafka
class MetricsEndpointsIT {
    static TestBroker kafka;
    static final Path BUNDLE = ItBundles.lexiconBundle();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int awaitStatus(int port, String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last;
        do {
            last = get(port, path).statusCode();
            if (last == status) {
                return last;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return last;
    }

    @Test
    void endpointsReportReadinessAndMetricsMoveWhenRecordsFlow(TestNames names) throws Exception {
        try (Pipeline p = new Pipeline(kafka, names, BUNDLE, 2, Map.of(ConfigKeys.METRICS_PORT, "0"));
                Monitoring monitoring = Monitoring.start(p.config)) {
            int port = monitoring.port();
            assertEquals(503, get(port, "/ready").statusCode(), "not ready before the models load");
            assertEquals(200, get(port, "/health").statusCode(), "alive while starting");

            p.app = monitoring.startApp(p.config);
            assertEquals(200, awaitStatus(port, "/ready", 200, Duration.ofSeconds(60)), "ready once RUNNING");
            String before = get(port, "/metrics").body();
            assertEquals(0.0, value(before, "streamnlp_dlq_records_total", Map.of("reason", "INVALID_JSON")), before);
            assertEquals(0.0, value(before, "streamnlp_batch_size_records_count"));

            p.send("a", "{\"id\":\"a\",\"text\":\"Angela Merkel visited Paris after the election.\"}");
            p.send("b", "Football fans in Paris cheered.");
            p.send("c", "Acme shares rose.");
            p.send("bad", "{\"id\":\"bad\",\"text\":");
            p.flush();
            try (EventCollector c = p.collector()) {
                assertTrue(
                        c.collectUntil(
                                rs -> EventCollector.count(rs, p.topics.entities()) >= 3
                                        && EventCollector.count(rs, p.topics.topics()) >= 3
                                        && EventCollector.count(rs, p.topics.dlq()) >= 1,
                                Duration.ofSeconds(60)),
                        "events arrived");
            }

            HttpResponse<String> scrape = get(port, "/metrics");
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String m = scrape.body();
            assertEquals(1.0, value(m, "streamnlp_dlq_records_total", Map.of("reason", "INVALID_JSON")), m);
            assertEquals(0.0, value(m, "streamnlp_dlq_records_total", Map.of("reason", "EMPTY_TEXT")), m);
            assertEquals(4.0, value(m, "streamnlp_records_in_total", Map.of("topic", p.topics.input())), m);
            assertEquals(3.0, value(m, "streamnlp_records_out_total", Map.of("topic", p.topics.entities())), m);
            assertEquals(3.0, value(m, "streamnlp_records_out_total", Map.of("topic", p.topics.topics())), m);
            assertEquals(1.0, value(m, "streamnlp_records_out_total", Map.of("topic", p.topics.dlq())), m);
            double batches = value(m, "streamnlp_batch_size_records_count");
            assertTrue(batches > 0, m);
            assertEquals(3.0, value(m, "streamnlp_batch_size_records_sum"), "every good record was in a batch");
            double real = value(m, "streamnlp_tokens_real_total");
            assertTrue(real > 10, m);
            assertTrue(value(m, "streamnlp_tokens_padded_total") >= real, m);
            assertTrue(value(m, "streamnlp_padding_ratio") >= 1.0, m);
            assertEquals(batches, value(m, "streamnlp_inference_time_seconds_count"), m);
            assertTrue(
                    value(m, "streamnlp_inference_cpu_seconds_total") > 0,
                    "CPU time inside the session runs is counted: " + m);
            assertEquals(batches, value(m, "streamnlp_queue_time_seconds_count"), m);
            assertEquals(1.0, value(m, "streamnlp_device", Map.of("device", "cpu")), m);
            assertEquals(0.0, value(m, "streamnlp_batches_in_flight"), "every batch is back and forwarded: " + m);
            assertEquals(
                    1.0,
                    value(m, "streamnlp_model_info", Map.of("task", "ner", "model", "lexicon", "version", "1.0.0")),
                    m);
            assertEquals(
                    1.0,
                    value(m, "streamnlp_model_info", Map.of("task", "topic", "model", "lexicon", "version", "1.0.0")),
                    m);
            assertTrue(m.lines().anyMatch(l -> l.startsWith("kafka_stream_")), "Kafka Streams' own metrics are bound");
            assertEquals(0.0, value(m, "streamnlp_buffer_records"), "the gauge is exported: " + m);
            assertEquals(0.0, value(m, "streamnlp_partials_records"), m);

            p.app.close(Duration.ofSeconds(20));
            assertEquals(503, get(port, "/health").statusCode(), "a stopped stream is not healthy");
            assertEquals(503, get(port, "/ready").statusCode());
            p.app = null;
        }
    }
}
