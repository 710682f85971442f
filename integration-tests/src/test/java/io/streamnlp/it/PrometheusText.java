package io.streamnlp.it;

import java.util.Map;

/** Reads one sample out of Prometheus text exposition. */
final class PrometheusText {
    private PrometheusText() {}

    /** The value of the sample {@code name} whose labels include {@code labels}; NaN when there is none. */
    static double value(String text, String name, Map<String, String> labels) {
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            if (labels.entrySet().stream().allMatch(l -> series.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                return Double.parseDouble(line.substring(space + 1));
            }
        }
        return Double.NaN;
    }

    static double value(String text, String name) {
        return value(text, name, Map.of());
    }
}
