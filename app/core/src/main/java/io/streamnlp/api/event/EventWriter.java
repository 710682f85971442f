package io.streamnlp.api.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the output events: this class is their JSON shape (documented in the README). An entity event is
 * {@code {"id", "entities": [{"text", "label", "start", "end", "score"}], "model", "latencyMs", "text"?}}, a topic
 * event {@code {"id", "label", "score", "scores": {label: score}, "model", "latencyMs", "text"?}}; scores are
 * rounded to six decimals. Extra input fields are carried at the top level; one whose name clashes with an event
 * field is kept under {@code "input"} instead of being dropped.
 */
public final class EventWriter {
    /** The top-level fields of an entity event (besides the input's carried extras). */
    public static final Set<String> ENTITY_FIELDS = Set.of("id", "entities", "model", "latencyMs", "text", "input");
    /** The top-level fields of a topic event (besides the input's carried extras). */
    public static final Set<String> TOPIC_FIELDS =
            Set.of("id", "label", "score", "scores", "model", "latencyMs", "text", "input");

    private final ObjectMapper mapper = JsonMapper.builder().build();
    private final boolean includeText;

    public EventWriter(boolean includeText) {
        this.includeText = includeText;
    }

    /**
     * @param id     the record's id (its {@code id} field, or one derived from its coordinates)
     * @param text   the input text (written only when the writer includes text)
     * @param extras the input's other fields, carried into the event; may be null
     */
    public byte[] entities(
            String id, String text, ObjectNode extras, List<Entity> entities, String model, long latencyMs) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", id);
        ArrayNode arr = o.putArray("entities");
        for (Entity e : entities) {
            ObjectNode n = arr.addObject();
            n.put("text", e.text());
            n.put("label", e.label());
            n.put("start", e.start());
            n.put("end", e.end());
            n.put("score", round(e.score()));
        }
        return finish(o, text, extras, ENTITY_FIELDS, model, latencyMs);
    }

    /** As {@link #entities}, for a topic event. */
    public byte[] topic(
            String id, String text, ObjectNode extras, TopicPrediction topic, String model, long latencyMs) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", id);
        o.put("label", topic.label());
        o.put("score", round(topic.score()));
        ObjectNode scores = o.putObject("scores");
        for (Map.Entry<String, Double> s : topic.scores().entrySet()) {
            scores.put(s.getKey(), round(s.getValue()));
        }
        return finish(o, text, extras, TOPIC_FIELDS, model, latencyMs);
    }

    /** The fields both events end with: the model, the latency, the text if wanted, the carried extras. */
    private byte[] finish(
            ObjectNode o, String text, ObjectNode extras, Set<String> reserved, String model, long latencyMs) {
        o.put("model", model);
        o.put("latencyMs", latencyMs);
        if (includeText) {
            o.put("text", text);
        }
        carry(o, extras, reserved);
        return write(o);
    }

    private static void carry(ObjectNode out, ObjectNode extras, Set<String> reserved) {
        if (extras == null || extras.isEmpty()) {
            return;
        }
        ObjectNode clashes = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = extras.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (reserved.contains(f.getKey())) {
                if (clashes == null) {
                    clashes = out.objectNode();
                }
                clashes.set(f.getKey(), f.getValue());
            } else {
                out.set(f.getKey(), f.getValue());
            }
        }
        if (clashes != null) {
            out.set("input", clashes);
        }
    }

    /** Six decimals: stable, readable events without float noise. */
    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private byte[] write(ObjectNode o) {
        try {
            return mapper.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
