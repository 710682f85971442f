/**
 * The library's entry point: {@link io.streamnlp.StreamNlp} adds the enrichment to a user's own Kafka Streams
 * topology ({@link io.streamnlp.Enricher}, {@link io.streamnlp.EnrichmentStreams},
 * {@link io.streamnlp.EnrichmentNodes}). With the contracts ({@link io.streamnlp.api}) and the configuration
 * ({@link io.streamnlp.config.EnricherConfig}) this is what a library user depends on; every other package is internal
 * and may change.
 */
package io.streamnlp;
