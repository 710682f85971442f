package io.streamnlp.topology;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.config.InputOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes → {@link ParsedInput}. Never throws for bad data: every problem becomes a {@link
 * ParsedInput.Rejected} with its reason, so the stream never stops for a bad record.
 */
final class InputParser {
    /** Deeper JSON than this is rejected (guards the parser's stack). */
    static final int MAX_NESTING = 64;

    private final InputOptions options;
    private final ObjectMapper mapper;

    InputParser(InputOptions options) {
        this.options = options;
        // Strict JSON: a key given twice would otherwise lose one of its values silently (Jackson's tree keeps
        // the last); content after the value is checked in parseJson. Jackson's other leniencies (comments,
        // single quotes, NaN, leading zeros, trailing commas...) are off by default and stay off (InputParserTest).
        // Decimals are read as BigDecimal so the carried fields keep their value: as doubles, 1e400 would become
        // the string "Infinity" and long fractions would be rounded.
        this.mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(Math.max(options.maxBytes(), 1))
                        .maxDocumentLength(Math.max(options.maxBytes(), 1))
                        .build());
    }

    ParsedInput parse(byte[] key, byte[] value, String topic, int partition, long offset) {
        if (value == null) {
            return new ParsedInput.Rejected(RejectReason.NULL_VALUE, null);
        }
        if (value.length > options.maxBytes()) {
            return new ParsedInput.Rejected(
                    RejectReason.TOO_LARGE, value.length + " > " + options.maxBytes() + " bytes");
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value))
                    .toString();
        } catch (CharacterCodingException e) {
            return new ParsedInput.Rejected(RejectReason.INVALID_UTF8, e.getMessage());
        }
        if (decoded.startsWith("\uFEFF")) {
            decoded = decoded.substring(1);
        }
        String fallbackId = keyId(key, topic, partition, offset);
        boolean json = switch (options.format()) {
            case JSON -> true;
            case TEXT -> false;
            case AUTO -> decoded.stripLeading().startsWith("{");
        };
        return json ? parseJson(decoded, fallbackId) : checkText(fallbackId, decoded, null);
    }

    private ParsedInput parseJson(String decoded, String fallbackId) {
        JsonNode root;
        try (JsonParser p = mapper.createParser(decoded)) {
            root = mapper.readTree(p);
            // readTree stops after the first value: a second object or trailing text would be silently dropped
            int end =
                    root == null ? decoded.length() : (int) p.currentLocation().getCharOffset();
            int rest = skipJsonWhitespace(decoded, end);
            if (rest < decoded.length()) {
                String tail = decoded.substring(rest, Math.min(decoded.length(), rest + 20));
                return new ParsedInput.Rejected(
                        RejectReason.INVALID_JSON,
                        "trailing content after the JSON value at char " + rest + ": '"
                                + tail.replaceAll("\\p{Cntrl}", "?") + (rest + 20 < decoded.length() ? "...'" : "'"));
            }
        } catch (JsonProcessingException e) {
            return new ParsedInput.Rejected(RejectReason.INVALID_JSON, firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            // cannot happen reading a String; kept a rejection so the stream never stops for one record
            return new ParsedInput.Rejected(RejectReason.INVALID_JSON, e.toString());
        }
        if (root == null || !root.isObject()) {
            return new ParsedInput.Rejected(
                    RejectReason.NOT_AN_OBJECT,
                    root == null ? "empty" : root.getNodeType().name().toLowerCase());
        }
        ObjectNode obj = (ObjectNode) root;
        JsonNode textNode = obj.get(options.textField());
        if (textNode == null || textNode.isMissingNode()) {
            return new ParsedInput.Rejected(RejectReason.MISSING_TEXT, "field '" + options.textField() + "'");
        }
        if (!textNode.isTextual()) {
            return new ParsedInput.Rejected(
                    RejectReason.TEXT_NOT_STRING,
                    "field '" + options.textField() + "' is "
                            + textNode.getNodeType().name().toLowerCase());
        }
        JsonNode idNode = obj.get(options.idField());
        String id = idNode != null
                        && (idNode.isTextual() || idNode.isNumber())
                        && !idNode.asText().isEmpty()
                ? idNode.asText()
                : fallbackId;
        ObjectNode extras = obj.deepCopy();
        extras.remove(options.textField());
        extras.remove(options.idField());
        return checkText(id, textNode.textValue(), extras);
    }

    private ParsedInput checkText(String id, String text, ObjectNode extras) {
        if (text.isBlank()) {
            return new ParsedInput.Rejected(RejectReason.EMPTY_TEXT, null);
        }
        if (text.indexOf('\0') >= 0) {
            return new ParsedInput.Rejected(RejectReason.BINARY_TEXT, "at char " + text.indexOf('\0'));
        }
        return new ParsedInput.Accepted(id, text, extras == null ? mapper.createObjectNode() : extras);
    }

    /** The first index at or after {@code from} that is not JSON whitespace (RFC 8259: space, tab, CR, LF only). */
    private static int skipJsonWhitespace(String s, int from) {
        int i = from;
        while (i < s.length()
                && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            i++;
        }
        return i;
    }

    private static String keyId(byte[] key, String topic, int partition, long offset) {
        if (key != null && key.length > 0) {
            String k = new String(key, StandardCharsets.UTF_8);
            if (k.indexOf('\uFFFD') < 0 && !k.isBlank()) {
                return k;
            }
        }
        return topic + "-" + partition + "-" + offset;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        // Jackson names a source it does not show: keep only the line and column.
        String line = (nl < 0 ? s : s.substring(0, nl)).replaceAll("\\[Source: [^;]*; ", "[");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
