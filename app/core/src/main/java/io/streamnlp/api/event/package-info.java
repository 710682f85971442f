/**
 * Contract: the enrichment results ({@link io.streamnlp.api.event.Enrichment}, {@link io.streamnlp.api.event.Entity},
 * {@link io.streamnlp.api.event.TopicPrediction}) and the JSON shape of the entity and topic events
 * ({@link io.streamnlp.api.event.EventWriter}). Changes here are changes to what consumers of the output topics
 * read. This package imports nothing of streamnlp's internals.
 */
package io.streamnlp.api.event;
