package io.streamnlp.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.api.engine.BatchStats;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.Topics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class EnricherMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EnricherMetrics metrics = new EnricherMetrics(registry, new Topics("in", "ents", "tops", "dlq"));

    private double value(String name, String tag, String tagValue) {
        var search = registry.find(name);
        if (tag != null) {
            search = search.tag(tag, tagValue);
        }
        return search.counter().count();
    }

    @Test
    void countsRecordsByTopicAndDeadLettersByReason() {
        metrics.received("in");
        metrics.received("in");
        metrics.emitted("ents");
        metrics.deadLettered(RejectReason.INVALID_JSON);
        assertEquals(2, value(EnricherMetrics.RECORDS_IN, "topic", "in"));
        assertEquals(1, value(EnricherMetrics.RECORDS_OUT, "topic", "ents"));
        assertEquals(0, value(EnricherMetrics.RECORDS_OUT, "topic", "tops"));
        assertEquals(1, value(EnricherMetrics.DLQ, "reason", "INVALID_JSON"));
        assertEquals(0, value(EnricherMetrics.DLQ, "reason", "EMPTY_TEXT"));
        assertEquals(1, value(EnricherMetrics.RECORDS_OUT, "topic", "dlq"));
    }

    @Test
    void recordsBatchFiguresAndExportsThemInPrometheusText() {
        metrics.onBatch(new BatchStats(3, 3, 1, 30, 45, 2_000_000), 2, BatchListener.Trigger.MAX_WAIT, 5_000_000);
        metrics.onBatch(new BatchStats(5, 6, 2, 70, 75, 4_000_000), 1, BatchListener.Trigger.RECORDS, 1_000_000);
        assertEquals(100, value(EnricherMetrics.TOKENS_REAL, null, null));
        assertEquals(120, value(EnricherMetrics.TOKENS_PADDED, null, null));
        assertEquals(1.2, registry.find(EnricherMetrics.PADDING_RATIO).gauge().value(), 1e-9);
        assertEquals(2, registry.find(EnricherMetrics.BATCH_SIZE).summary().count());
        assertEquals(8, registry.find(EnricherMetrics.BATCH_SIZE).summary().totalAmount());
        assertEquals(1, value(EnricherMetrics.BATCHES, "trigger", "max_wait"));
        assertEquals(6, registry.find(EnricherMetrics.INFERENCE_TIME).timer().totalTime(TimeUnit.MILLISECONDS), 1e-9);

        String text = registry.scrape();
        assertTrue(text.contains("streamnlp_batch_size_records_bucket{le=\"4.0\"} 1"), text);
        assertTrue(text.contains("streamnlp_batch_size_records_bucket{le=\"8.0\"} 2"), text);
        assertTrue(text.contains("streamnlp_tokens_padded_total 120"), text);
        assertTrue(text.contains("streamnlp_batches_total{trigger=\"records\"} 1"), text);
        assertTrue(text.contains("streamnlp_queue_time_seconds_count 2"), text);
    }

    @Test
    void storeGaugesSumTheLatestReportOfEveryTaskAndForgetATaskAtZero() {
        assertTrue(registry.scrape().contains("streamnlp_buffer_records 0.0"), registry.scrape());
        assertTrue(registry.scrape().contains("streamnlp_partials_records 0.0"), registry.scrape());
        metrics.storeSizes("0_0", 5, 2);
        metrics.storeSizes("0_1", 3, 0);
        metrics.storeSizes("0_0", 4, 1); // a later report replaces the task's last one
        assertEquals(7, registry.find(EnricherMetrics.BUFFER_RECORDS).gauge().value());
        assertEquals(1, registry.find(EnricherMetrics.PARTIALS_RECORDS).gauge().value());
        String text = registry.scrape();
        assertTrue(text.contains("streamnlp_buffer_records 7.0"), text);
        assertTrue(text.contains("streamnlp_partials_records 1.0"), text);
        metrics.storeSizes("0_0", 0, 0); // emptied, or closed
        assertEquals(3, registry.find(EnricherMetrics.BUFFER_RECORDS).gauge().value());
        assertEquals(0, registry.find(EnricherMetrics.PARTIALS_RECORDS).gauge().value());
        metrics.storeSizes("0_1", 0, 0);
        assertEquals(0, registry.find(EnricherMetrics.BUFFER_RECORDS).gauge().value());
    }

    @Test
    void bothStoresStateMetricsReachPrometheusUnderOneTagSet() {
        // the tag sets Kafka Streams gives its state-store metrics (as Micrometer's binder names them): the RocksDB
        // batch buffer's and the in-memory partials store's differ only in the store id tag's key
        try (Monitoring m = Monitoring.start(EnricherConfig.builder()
                .set(ConfigKeys.METRICS_ENABLED, "false")
                .build())) {
            var reg = m.registry();
            Gauge.builder("kafka.stream.state.put.rate", () -> 2.0)
                    .tags("kafka.version", "4", "thread.id", "t-1", "task.id", "0_0")
                    .tag("rocksdb.state.id", "streamnlp-batch-buffer")
                    .register(reg);
            Gauge.builder("kafka.stream.state.put.rate", () -> 3.0)
                    .tags("kafka.version", "4", "thread.id", "t-1", "task.id", "0_0")
                    .tag("in.memory.state.id", "streamnlp-batch-partials")
                    .register(reg);
            String text = reg.scrape();
            List<String> putRate = text.lines()
                    .filter(l -> l.startsWith("kafka_stream_state_put_rate{"))
                    .toList();
            assertTrue(putRate.stream().anyMatch(l -> l.contains("\"streamnlp-batch-buffer\"")), text);
            assertTrue(
                    putRate.stream().anyMatch(l -> l.contains("\"streamnlp-batch-partials\"")),
                    "the partials store's meters are scraped too: " + text);
            assertTrue(
                    putRate.contains(
                            "kafka_stream_state_put_rate{kafka_version=\"4\",state_id=\"streamnlp-batch-buffer\","
                                    + "store_type=\"rocksdb\",task_id=\"0_0\",thread_id=\"t-1\"} 2.0"),
                    putRate.toString());
            assertTrue(
                    putRate.contains(
                            "kafka_stream_state_put_rate{kafka_version=\"4\",state_id=\"streamnlp-batch-partials\","
                                    + "store_type=\"in.memory\",task_id=\"0_0\",thread_id=\"t-1\"} 3.0"),
                    putRate.toString());
        }
    }

    @Test
    void healthIsLiveWhileStartingButReadyOnlyWhenRunningWithModels() {
        assertTrue(HealthState.STARTING.live());
        assertFalse(HealthState.STARTING.ready());
        assertFalse(new HealthState(KafkaStreams.State.REBALANCING, true).ready());
        assertTrue(new HealthState(KafkaStreams.State.REBALANCING, true).live());
        assertTrue(new HealthState(KafkaStreams.State.RUNNING, true).ready());
        assertFalse(new HealthState(KafkaStreams.State.ERROR, true).live());
        assertFalse(new HealthState(KafkaStreams.State.NOT_RUNNING, true).live());
    }
}
