package io.streamnlp.it.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** A running broker as the integration tests see it, whichever kind it is, with one admin client for its life. */
public class TestBroker implements AutoCloseable {
    private final String kind;
    private final String bootstrapServers;
    private final Admin admin;
    private final Runnable stop;

    TestBroker(String kind, String bootstrapServers, Runnable stop) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.stop = stop;
    }

    public final String bootstrapServers() {
        return bootstrapServers;
    }

    /** The broker's admin client; tests must not close it. */
    public final Admin admin() {
        return admin;
    }

    /** What it is, for the log line and failure messages: "embedded" or "container". */
    public final String kind() {
        return kind;
    }

    /** Sets one configuration of a topic (as {@code kafka-configs --alter} does). */
    public final void setTopicConfig(String topic, String key, String value) throws Exception {
        admin.incrementalAlterConfigs(Map.of(
                        new ConfigResource(ConfigResource.Type.TOPIC, topic),
                        List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                .all()
                .get(30, TimeUnit.SECONDS);
    }

    /** Closes the admin client, then stops the broker. */
    @Override
    public final void close() {
        try {
            admin.close();
        } finally {
            stop.run();
        }
    }
}
