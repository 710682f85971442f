package io.streamnlp.model;

import java.util.List;
import java.util.Map;

/**
 * What a graph declares: its input names and each output's shape (-1 for a dynamic dimension). Kept free of
 * ONNX Runtime types so bundle rules are testable on their own.
 */
public record GraphSignature(List<String> inputs, Map<String, long[]> outputShapes) {
    public GraphSignature {
        inputs = List.copyOf(inputs);
        outputShapes = Map.copyOf(outputShapes);
    }
}
