package io.streamnlp;

/**
 * The enrichment's outputs in a Processor API topology: the names of the nodes to add sinks (or processors) to,
 * e.g. {@code topology.addSink("my-entities", "entities", nodes.entities())}. What each carries is as in
 * {@link EnrichmentStreams}.
 */
public record EnrichmentNodes(String entities, String topics, String deadLetters) {}
