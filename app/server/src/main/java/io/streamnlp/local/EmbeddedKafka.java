package io.streamnlp.local;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) in this JVM, from Kafka's own
 * jars: what the demo, {@code eval} and {@code bench} run against when no cluster is configured, and
 * what the integration tests use.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /** Starts a broker; {@code brokerProps} override the single-node defaults. */
    public static EmbeddedKafka start(Map<String, String> brokerProps) {
        try {
            Path dir = Files.createTempDirectory("streamnlp-kafka");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes)
                    .setDeleteOnClose(true)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "4")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("num.partitions", "1")
                    .setConfigProp("auto.create.topics.enable", "false");
            brokerProps.forEach(b::setConfigProp);
            KafkaClusterTestKit kit = b.build();
            formatQuietly(kit);
            kit.startup();
            kit.waitForReadyBrokers();
            return new EmbeddedKafka(kit);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /** Kafka's storage formatter prints to stdout, which is the demo's and eval's report: keep it out. */
    private static void formatQuietly(KafkaClusterTestKit kit) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kit.format();
        } finally {
            System.setOut(out);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The underlying test kit, for fault injection (broker restarts) in tests. */
    public KafkaClusterTestKit cluster() {
        return cluster;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the embedded Kafka broker", e);
        }
    }
}
