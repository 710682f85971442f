package io.streamnlp.api.event;

import java.util.Map;

/**
 * Sequence classification of a whole text.
 *
 * @param label  the most probable label
 * @param score  its probability
 * @param scores every label's probability, in the model's label order
 */
public record TopicPrediction(String label, double score, Map<String, Double> scores) {}
