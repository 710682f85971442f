/**
 * The library's entry point: {@link io.streamnlp.api.StreamNlp} adds the enrichment to a user's own Kafka Streams
 * topology ({@link io.streamnlp.api.Enricher}, {@link io.streamnlp.api.EnrichmentStreams},
 * {@link io.streamnlp.api.EnrichmentNodes}). Together with the contract sub-packages
 * ({@link io.streamnlp.api.event}, {@link io.streamnlp.api.dlq}, {@link io.streamnlp.api.engine}) and the
 * configuration ({@link io.streamnlp.config.EnricherConfig}), this is what a library user depends on; every other
 * package is internal and may change.
 */
package io.streamnlp.api;
