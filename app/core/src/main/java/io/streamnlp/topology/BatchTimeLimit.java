package io.streamnlp.topology;

import io.streamnlp.batching.BatchBudget.Limit;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The time a batch must stay well within, as the Kafka Streams settings of {@link StreamsSettings} set it. */
public final class BatchTimeLimit {
    /** Kafka Streams' default max.poll.interval.ms. */
    static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

    private BatchTimeLimit() {}

    /** {@link #of} with Kafka's own refusals (e.g. a transaction timeout under commit.interval.ms) as ConfigExceptions. */
    public static Limit checked(EnricherConfig c) {
        try {
            return of(c);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * The effective limit: the transaction timeout (exactly-once) or max.poll.interval.ms, whichever is smaller,
     * read from the very properties Kafka Streams gets ({@link StreamsSettings}, {@code kafka.*} overrides
     * included) and resolved by Kafka Streams itself (main.consumer. over consumer. over the plain key; producer.
     * over the plain key), so the check and the running stream cannot disagree.
     */
    static Limit of(EnricherConfig c) {
        Properties props = StreamsSettings.from(c);
        StreamsConfig streams = new StreamsConfig(props, false) {}; // quiet: Kafka Streams logs the config itself
        Map<String, String> kafka = c.kafkaOverrides();
        boolean eos = !StreamsConfig.AT_LEAST_ONCE.equals(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        String pollName = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
        String pollKey = ConfigKeys.KAFKA_PREFIX
                + strongestSet(
                        kafka,
                        pollName,
                        StreamsConfig.consumerPrefix(pollName),
                        StreamsConfig.mainConsumerPrefix(pollName));
        Object pollValue = streams.getMainConsumerConfigs("check", "check", 0).get(pollName);
        long poll = pollValue == null ? DEFAULT_MAX_POLL_INTERVAL_MS : parse(pollKey, pollValue);
        if (!eos) {
            return new Limit(poll, pollKey);
        }
        String txName = ProducerConfig.TRANSACTION_TIMEOUT_CONFIG;
        String txOverride = strongestSet(kafka, txName, StreamsConfig.producerPrefix(txName));
        String txKey = kafka.containsKey(txOverride)
                ? ConfigKeys.KAFKA_PREFIX + txOverride
                : ConfigKeys.TRANSACTION_TIMEOUT_MS;
        long tx = parse(txKey, streams.getProducerConfigs("check").get(txName));
        return tx <= poll ? new Limit(tx, txKey) : new Limit(poll, pollKey);
    }

    /** Of a setting's names, lowest precedence first: the strongest one that is set, else the plain one (the one to set). */
    private static String strongestSet(Map<String, String> kafka, String... byPrecedence) {
        for (int i = byPrecedence.length - 1; i > 0; i--) {
            if (kafka.containsKey(byPrecedence[i])) {
                return byPrecedence[i];
            }
        }
        return byPrecedence[0];
    }

    private static long parse(String key, Object v) {
        try {
            long ms = Long.parseLong(String.valueOf(v).trim());
            if (ms <= 0) {
                throw new ConfigException(key + "=" + v + " must be greater than 0");
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + "=" + v + " is not an integer");
        }
    }
}
