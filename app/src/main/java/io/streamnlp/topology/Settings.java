package io.streamnlp.topology;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.config.InputOptions;
import io.streamnlp.config.Topics;

/** What the topology needs to know: topic names, input handling, and which enrichers are on. */
public record Settings(Topics topics, InputOptions input, boolean nerEnabled, boolean topicEnabled, int inputMaxBytes) {
    public static Settings from(EnricherConfig c) {
        InputOptions in = InputOptions.from(c);
        return new Settings(Topics.from(c), in, c.getBoolean(ConfigKeys.NER_ENABLED), c.getBoolean(ConfigKeys.TOPIC_ENABLED), in.maxBytes());
    }
}
