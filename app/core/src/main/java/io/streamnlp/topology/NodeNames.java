package io.streamnlp.topology;

import java.util.regex.Pattern;

/**
 * What the enrichment's nodes and stores are called in a topology: the standalone app keeps the names it always had
 * (its changelog topics are named after its stores), an embedded enrichment prefixes them so that they do not clash
 * with the user's own nodes, and a named one ({@link #embedded(String)}) carries its name too, so that several
 * enrichments can share one topology. The standalone app's names are the constants here.
 */
public record NodeNames(
        String enrich, String buffer, String partials, String entities, String topics, String deadLetters) {
    public static final String SOURCE = "text-source";
    public static final String ENRICH = "enrich";
    public static final String BUFFER_STORE = "batch-buffer";
    /** Finished segments of long documents still being enriched (see LongDocument): a crash resumes them. */
    public static final String PARTIALS_STORE = "batch-partials";

    public static final String ENTITIES_SINK = "entities-sink";
    public static final String TOPICS_SINK = "topics-sink";
    public static final String DLQ_SINK = "dlq-sink";

    static final NodeNames STANDALONE =
            new NodeNames(ENRICH, BUFFER_STORE, PARTIALS_STORE, ENTITIES_SINK, TOPICS_SINK, DLQ_SINK);
    static final NodeNames EMBEDDED = new NodeNames(
            "streamnlp-enrich",
            "streamnlp-" + BUFFER_STORE,
            "streamnlp-" + PARTIALS_STORE,
            "streamnlp-entities",
            "streamnlp-topics",
            "streamnlp-dead-letters");

    /** Legal in a node name and in the changelog topic named after a store: Kafka's topic name characters. */
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");

    /** The names of an embedded enrichment called {@code name}, or {@link #EMBEDDED} for null (an unnamed one). */
    static NodeNames embedded(String name) {
        if (name == null) {
            return EMBEDDED;
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an enrichment's name is 1 to 100 of a-z A-Z 0-9 . _ - (it names its"
                    + " stores' changelog topics): '" + name + "'");
        }
        String p = "streamnlp-" + name + "-";
        return new NodeNames(
                p + "enrich", p + BUFFER_STORE, p + PARTIALS_STORE, p + "entities", p + "topics", p + "dead-letters");
    }
}
