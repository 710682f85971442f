package io.streamnlp.app;

import io.streamnlp.config.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the processor's topics (demo, eval, bench, and {@code run --create-topics}). */
public final class TopicAdmin {
    private TopicAdmin() {}

    /**
     * Creates input, output and DLQ topics that do not exist yet; outputs and the DLQ accept records as
     * large as the topology may write (an event carries its text).
     */
    public static void ensureTopics(
            String bootstrap,
            Map<String, String> clientOverrides,
            Topics topics,
            int inputPartitions,
            int outputPartitions,
            long maxMessageBytes) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.putAll(clientOverrides);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            Map<String, String> big = Map.of("max.message.bytes", Long.toString(maxMessageBytes));
            List<NewTopic> create = new ArrayList<>();
            if (!existing.contains(topics.input())) {
                create.add(new NewTopic(topics.input(), inputPartitions, (short) -1));
            }
            for (String t : List.of(topics.entities(), topics.topics(), topics.dlq())) {
                if (!existing.contains(t)) {
                    create.add(new NewTopic(t, outputPartitions, (short) -1).configs(big));
                }
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics on " + bootstrap + ": " + e.getMessage(), e);
        }
    }
}
