package io.streamnlp.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Topic names, in one place. */
public record Topics(String input, String entities, String topics, String dlq) {
    /** Kafka's rule for a topic name (org.apache.kafka.common.internals.Topic): no lists, no patterns. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private static final int MAX_NAME_LENGTH = 249;

    private static final List<String> KEYS =
            List.of(ConfigKeys.TOPIC_INPUT, ConfigKeys.TOPIC_ENTITIES, ConfigKeys.TOPIC_TOPICS, ConfigKeys.TOPIC_DLQ);

    /**
     * The configured names. {@link ConfigKeys#DEFINITIONS} has checked them when the configuration was built: each one
     * a legal Kafka topic name ({@link #NAME}: the topology subscribes to exactly {@code topic.input}, one topic), and
     * all four distinct ({@link #distinct}).
     */
    public static Topics from(EnricherConfig c) {
        return new Topics(
                c.get(ConfigKeys.TOPIC_INPUT),
                c.get(ConfigKeys.TOPIC_ENTITIES),
                c.get(ConfigKeys.TOPIC_TOPICS),
                c.get(ConfigKeys.TOPIC_DLQ));
    }

    /** One legal Kafka topic name. */
    static final ConfigDef.Validator NAME = new ConfigDef.Validator() {
        @Override
        public String problem(String key, String raw, Object parsed) {
            String name = (String) parsed;
            if (name.isEmpty()) {
                return key + " is empty: set a topic name";
            }
            if (name.length() > MAX_NAME_LENGTH
                    || !LEGAL.matcher(name).matches()
                    || name.equals(".")
                    || name.equals("..")) {
                return key + "=" + name + " is not a Kafka topic name (one name of at most " + MAX_NAME_LENGTH
                        + " characters from a-z, A-Z, 0-9, '.', '_' and '-'; lists and patterns are not supported)";
            }
            return null;
        }

        @Override
        public String describe() {
            return "one Kafka topic name";
        }
    };

    /**
     * The four names must differ: an output that is also the input would be read back and re-enriched forever; two
     * outputs in one topic could not be told apart downstream. Returns the first clash found, or null.
     */
    static String distinct(Map<String, Object> values) {
        Map<String, List<String>> keysByName = new LinkedHashMap<>();
        for (String key : KEYS) {
            keysByName
                    .computeIfAbsent((String) values.get(key), n -> new ArrayList<>())
                    .add(key);
        }
        for (var e : keysByName.entrySet()) {
            List<String> keys = e.getValue();
            if (keys.size() > 1) {
                List<String> named =
                        keys.stream().map(k -> k + "=" + e.getKey()).toList();
                String which =
                        String.join(", ", named.subList(0, named.size() - 1)) + " and " + named.get(named.size() - 1);
                return which + ": "
                        + (keys.contains(ConfigKeys.TOPIC_INPUT)
                                ? "the processor would read its own output back from '" + e.getKey()
                                        + "' and re-enrich it forever (a loop)"
                                : "records of different kinds in one topic could not be told apart")
                        + "; give each of them a topic of its own";
            }
        }
        return null;
    }
}
