package io.streamnlp.metrics;

import org.apache.kafka.streams.KafkaStreams;

/**
 * What the health endpoints answer from. {@code streams} is null while the models load: the process
 * is alive but not ready.
 */
public record HealthState(KafkaStreams.State streams, boolean modelsLoaded) {
    public static final HealthState STARTING = new HealthState(null, false);

    /** Liveness: up, and the stream has not failed or stopped (a restart is what would help then). */
    public boolean live() {
        return streams == null
                || (streams != KafkaStreams.State.ERROR
                        && streams != KafkaStreams.State.PENDING_ERROR
                        && streams != KafkaStreams.State.NOT_RUNNING);
    }

    /** Readiness: models loaded and the stream processing (not starting or rebalancing). */
    public boolean ready() {
        return modelsLoaded && streams == KafkaStreams.State.RUNNING;
    }

    public String describe() {
        return "streams=" + (streams == null ? "STARTING" : streams) + " models="
                + (modelsLoaded ? "loaded" : "loading");
    }
}
