package io.streamnlp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;

/** Human-readable rendering of output events: entities marked in the text, topic and score. */
public final class EventPrinter {
    private final boolean color;

    public EventPrinter(boolean color) {
        this.color = color;
    }

    /** {@code text} with each entity written as [entity text]{LABEL}; offsets are code points. */
    public String markEntities(String text, JsonNode entities) {
        StringBuilder sb = new StringBuilder();
        int[] cps = text.codePoints().toArray();
        int pos = 0;
        for (JsonNode e : entities) {
            int start = e.path("start").asInt();
            int end = e.path("end").asInt();
            if (start < pos || end > cps.length || start >= end) {
                continue;
            }
            sb.append(new String(cps, pos, start - pos));
            String label = e.path("label").asText();
            String span = new String(cps, start, end - start);
            sb.append(
                    color
                            ? "\u001b[1;" + colorOf(label) + "m[" + span + "]\u001b[0m\u001b[2m{" + label + "}\u001b[0m"
                            : "[" + span + "]{" + label + "}");
            pos = end;
        }
        sb.append(new String(cps, pos, cps.length - pos));
        return sb.toString();
    }

    public void printDocument(PrintStream out, String id, JsonNode entitiesEvent, JsonNode topicEvent) {
        out.println((color ? "\u001b[1m" : "") + "● " + id + (color ? "\u001b[0m" : ""));
        String text = entitiesEvent != null ? entitiesEvent.path("text").asText(null) : null;
        if (text == null && topicEvent != null) {
            text = topicEvent.path("text").asText(null);
        }
        if (entitiesEvent != null && text != null) {
            out.println("  " + markEntities(text, entitiesEvent.path("entities")));
        } else if (text != null) {
            out.println("  " + text);
        }
        if (topicEvent != null) {
            out.printf(
                    "  topic: %s (%.2f)%n",
                    topicEvent.path("label").asText(), topicEvent.path("score").asDouble());
        }
        if (entitiesEvent != null) {
            StringBuilder list = new StringBuilder();
            for (JsonNode e : entitiesEvent.path("entities")) {
                if (list.length() > 0) {
                    list.append(", ");
                }
                list.append(String.format(
                        "%s=%s %.2f",
                        e.path("label").asText(),
                        e.path("text").asText(),
                        e.path("score").asDouble()));
            }
            out.println("  entities: " + (list.length() == 0 ? "(none)" : list));
        }
    }

    private static int colorOf(String label) {
        return switch (label) {
            case "PER" -> 36;
            case "LOC" -> 32;
            case "ORG" -> 33;
            default -> 35;
        };
    }
}
