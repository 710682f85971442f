package io.streamnlp.it.broker;

import io.streamnlp.local.EmbeddedKafka;
import java.util.Map;

/** The in-JVM KRaft broker ({@link EmbeddedKafka}, Kafka's own test kit). */
public final class EmbeddedBroker extends TestBroker {
    private final EmbeddedKafka kafka;

    private EmbeddedBroker(EmbeddedKafka kafka) {
        super("embedded", kafka.bootstrapServers(), kafka::close);
        this.kafka = kafka;
    }

    static EmbeddedBroker start(Map<String, String> settings) {
        return new EmbeddedBroker(EmbeddedKafka.start(settings));
    }

    /** The broker itself, for fault injection (stopping and restarting it): only on a {@link WithKafka#ownBroker()}. */
    public EmbeddedKafka kafka() {
        return kafka;
    }
}
