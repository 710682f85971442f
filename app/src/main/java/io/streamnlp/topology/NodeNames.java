package io.streamnlp.topology;

/**
 * What the enrichment's nodes and stores are called in a topology: the standalone app keeps the names it always had
 * (its changelog topics are named after its stores), an embedded enrichment prefixes them so that they do not clash
 * with the user's own nodes.
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
}
