package io.streamnlp;

import org.apache.kafka.streams.kstream.KStream;

/**
 * The enrichment's outputs in a DSL topology, keyed by the input record's key (or its id when it has none).
 *
 * @param entities    entity events (JSON, see {@link io.streamnlp.api.event.EventWriter}); empty when NER is off
 * @param topics      topic events (JSON); empty when topics are off
 * @param deadLetters rejected records: their original key, value and headers, plus the headers of
 *                    {@link io.streamnlp.api.dlq.DeadLetters}
 */
public record EnrichmentStreams(
        KStream<byte[], byte[]> entities, KStream<byte[], byte[]> topics, KStream<byte[], byte[]> deadLetters) {}
