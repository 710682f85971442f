package io.streamnlp.config;

/** Topic names, in one place. */
public record Topics(String input, String entities, String topics, String dlq) {
    public static Topics from(EnricherConfig c) {
        return new Topics(c.get(ConfigKeys.TOPIC_INPUT), c.get(ConfigKeys.TOPIC_ENTITIES),
                c.get(ConfigKeys.TOPIC_TOPICS), c.get(ConfigKeys.TOPIC_DLQ));
    }
}
