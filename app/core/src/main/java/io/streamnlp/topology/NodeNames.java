package io.streamnlp.topology;

/**
 * What the enrichment's nodes and stores are called in a topology: the standalone app keeps the names it always had
 * (its changelog topics are named after its stores), an embedded enrichment prefixes them so that they do not clash
 * with the user's own nodes, and a named one ({@link #embedded(String)}) carries its name too, so that several
 * enrichments can share one topology.
 */
record NodeNames(String enrich, String buffer, String partials, String entities, String topics, String deadLetters) {
    static final NodeNames STANDALONE = new NodeNames(
            EnricherTopology.ENRICH,
            EnricherTopology.BUFFER_STORE,
            EnricherTopology.PARTIALS_STORE,
            EnricherTopology.ENTITIES_SINK,
            EnricherTopology.TOPICS_SINK,
            EnricherTopology.DLQ_SINK);
    static final NodeNames EMBEDDED = new NodeNames(
            "streamnlp-enrich",
            "streamnlp-" + EnricherTopology.BUFFER_STORE,
            "streamnlp-" + EnricherTopology.PARTIALS_STORE,
            "streamnlp-entities",
            "streamnlp-topics",
            "streamnlp-dead-letters");

    /** Legal in a node name and in the changelog topic named after a store: Kafka's topic name characters. */
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,100}");

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
                p + "enrich",
                p + EnricherTopology.BUFFER_STORE,
                p + EnricherTopology.PARTIALS_STORE,
                p + "entities",
                p + "topics",
                p + "dead-letters");
    }
}
