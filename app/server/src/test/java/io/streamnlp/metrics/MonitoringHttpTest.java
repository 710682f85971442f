package io.streamnlp.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP, before a processor is attached (the start-up window). */
class MonitoringHttpTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesMetricsAndHealthWhileModelsLoad() throws Exception {
        EnricherConfig c =
                EnricherConfig.builder().set(ConfigKeys.METRICS_PORT, "0").build();
        try (Monitoring m = Monitoring.start(c)) {
            assertTrue(m.port() > 0);
            m.metrics().deadLettered(RejectReason.EMPTY_TEXT);
            HttpResponse<String> metrics = get(m.port(), "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(metrics.body().contains("streamnlp_dlq_records_total{reason=\"EMPTY_TEXT\"} 1"), metrics.body());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics bound");
            assertEquals(200, get(m.port(), "/health").statusCode());
            HttpResponse<String> ready = get(m.port(), "/ready");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("models=loading"), ready.body());
        }
    }

    @Test
    void disabledMeansNoServerAndABadPortIsAConfigError() {
        try (Monitoring m = Monitoring.start(EnricherConfig.builder()
                .set(ConfigKeys.METRICS_ENABLED, "false")
                .build())) {
            assertEquals(-1, m.port());
        }
        ConfigException e = Assertions.assertThrows(
                ConfigException.class,
                () -> Monitoring.start(EnricherConfig.builder()
                        .set(ConfigKeys.METRICS_PORT, "70000")
                        .build()));
        assertTrue(e.getMessage().contains("metrics.port"), e.getMessage());
    }
}
