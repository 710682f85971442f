package io.streamnlp.api.event;

import java.util.List;

/**
 * What inference produced for one text.
 *
 * @param entities entities in text order, or null when the NER task is disabled
 * @param topic    the topic, or null when the topic task is disabled
 */
public record Enrichment(List<Entity> entities, TopicPrediction topic) {}
