package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.dlq.RejectReason;
import io.streamnlp.config.InputOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputParserTest {
    private final InputParser parser = new InputParser(InputOptions.defaults());

    private ParsedInput parse(String key, byte[] value) {
        return parser.parse(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, "in", 2, 7);
    }

    private ParsedInput parse(String value) {
        return parse(null, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private RejectReason rejected(ParsedInput p) {
        return assertInstanceOf(ParsedInput.Rejected.class, p).reason();
    }

    @Test
    void jsonWithIdTextAndExtras() {
        var ok = assertInstanceOf(
                ParsedInput.Accepted.class, parse("{\"id\":\"a1\",\"text\":\"Hello Paris\",\"lang\":\"en\",\"n\":3}"));
        assertEquals("a1", ok.id());
        assertEquals("Hello Paris", ok.text());
        assertEquals("{\"lang\":\"en\",\"n\":3}", ok.extras().toString());
    }

    @Test
    void numericIdIsKeptAsString() {
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("{\"id\":17,\"text\":\"x y\"}"));
        assertEquals("17", ok.id());
    }

    @Test
    void plainTextUsesKeyThenCoordinatesAsId() {
        var withKey = assertInstanceOf(
                ParsedInput.Accepted.class, parse("doc-9", "Just text.".getBytes(StandardCharsets.UTF_8)));
        assertEquals("doc-9", withKey.id());
        assertEquals("Just text.", withKey.text());
        var noKey = assertInstanceOf(ParsedInput.Accepted.class, parse("Just text."));
        assertEquals("in-2-7", noKey.id());
        assertEquals(0, noKey.extras().size());
    }

    @Test
    void jsonWithoutIdFallsBackToKey() {
        var ok = assertInstanceOf(
                ParsedInput.Accepted.class, parse("k1", "{\"text\":\"abc\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("k1", ok.id());
    }

    @Test
    void everyBadInputKindHasItsReason() {
        assertEquals(RejectReason.NULL_VALUE, rejected(parse(null)));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\": \"unterminated")));
        assertEquals(RejectReason.MISSING_TEXT, rejected(parse("{\"id\":\"x\"}")));
        assertEquals(RejectReason.TEXT_NOT_STRING, rejected(parse("{\"text\":null}")));
        assertEquals(RejectReason.TEXT_NOT_STRING, rejected(parse("{\"text\":12}")));
        assertEquals(RejectReason.TEXT_NOT_STRING, rejected(parse("{\"text\":{\"a\":1}}")));
        assertEquals(RejectReason.EMPTY_TEXT, rejected(parse("{\"text\":\"\"}")));
        assertEquals(RejectReason.EMPTY_TEXT, rejected(parse("{\"text\":\" \\t\\n \"}")));
        assertEquals(RejectReason.EMPTY_TEXT, rejected(parse("   ")));
        assertEquals(RejectReason.BINARY_TEXT, rejected(parse("{\"text\":\"a\\u0000b\"}")));
        assertEquals(RejectReason.INVALID_UTF8, rejected(parse(null, new byte[] {'a', (byte) 0xC3, (byte) 0x28})));
    }

    @Test
    void jsonArrayIsNotAnObjectInJsonMode() {
        InputParser json = new InputParser(new InputOptions(InputOptions.Format.JSON, 1000, "text", "id", true));
        assertEquals(
                RejectReason.NOT_AN_OBJECT,
                rejected(json.parse(null, "[1,2]".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
        assertEquals(
                RejectReason.INVALID_JSON,
                rejected(json.parse(null, "plain".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
    }

    @Test
    void textModeTakesBracesLiterally() {
        InputParser text = new InputParser(new InputOptions(InputOptions.Format.TEXT, 1000, "text", "id", true));
        var ok = assertInstanceOf(
                ParsedInput.Accepted.class, text.parse(null, "{not json".getBytes(StandardCharsets.UTF_8), "t", 0, 0));
        assertEquals("{not json", ok.text());
    }

    @Test
    void oversizedAndDeeplyNestedAreRejected() {
        InputParser small = new InputParser(new InputOptions(InputOptions.Format.AUTO, 100, "text", "id", true));
        assertEquals(RejectReason.TOO_LARGE, rejected(small.parse(null, new byte[101], "t", 0, 0)));
        String deep = "{\"text\":\"x\",\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";
        assertEquals(RejectReason.INVALID_JSON, rejected(parse(deep)));
    }

    /** A value after the object would be silently dropped: the record is rejected whole, never half-read. */
    @Test
    void contentAfterTheObjectIsInvalidJson() {
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"id\":\"a\",\"text\":\"x\"} {\"id\":\"b\"}")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}garbage")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}{\"text\":\"y\"}")));
        assertEquals(
                RejectReason.INVALID_JSON,
                rejected(parse("{\"text\":\"x\"}\n{\"text\":\"y\"}\n"))); // NDJSON: one record each
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"} 42")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}}")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}\u0000")));
        var r = assertInstanceOf(ParsedInput.Rejected.class, parse("{\"text\":\"x\"}garbage"));
        assertTrue(r.message().contains("trailing"), r.message());
    }

    /** JSON whitespace (space, tab, CR, LF) after the object is fine; any other character is content. */
    @Test
    void trailingWhitespaceIsFine() {
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("  {\"text\":\"x y\"} \r\n\t \n"));
        assertEquals("x y", ok.text());
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}\u00A0")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}\u2028")));
    }

    /** Two values for one key: one would be silently dropped (the last wins in Jackson's tree), at any depth. */
    @Test
    void duplicateKeysAreInvalidJson() {
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"first\",\"text\":\"second\"}")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"id\":\"a\",\"text\":\"x\",\"id\":\"b\"}")));
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\",\"meta\":{\"k\":1,\"k\":2}}")));
        var r = assertInstanceOf(ParsedInput.Rejected.class, parse("{\"text\":\"first\",\"text\":\"second\"}"));
        assertTrue(r.message().contains("text"), r.message());
        // the same key in sibling objects is no duplicate
        assertInstanceOf(ParsedInput.Accepted.class, parse("{\"text\":\"x\",\"a\":{\"k\":1},\"b\":{\"k\":2}}"));
    }

    /** Strict JSON (RFC 8259) only: each of Jackson's optional leniencies stays off. */
    @Test
    void nonStandardJsonIsInvalidJson() {
        for (String bad : List.of(
                "{\"text\":\"x\" /* comment */}",
                "{\"text\":\"x\"} // comment",
                "{\"text\":\"x\" # comment\n}",
                "{'text':'x'}",
                "{\"text\":'x'}",
                "{text:\"x\"}",
                "{\"text\":\"x\",\"n\":NaN}",
                "{\"text\":\"x\",\"n\":Infinity}",
                "{\"text\":\"x\",\"n\":-Infinity}",
                "{\"text\":\"x\",\"n\":007}",
                "{\"text\":\"x\",\"n\":+1}",
                "{\"text\":\"x\",\"n\":.5}",
                "{\"text\":\"x\",}",
                "{\"text\":\"x\",\"a\":[1,2,]}",
                "{\"text\":\"x\",\"a\":[1,,2]}",
                "{\"text\":\"a\tb\"}", // unescaped control character in a string
                "{\"text\":\"\\q\"}")) { // backslash-escaping a character that needs none
            assertEquals(RejectReason.INVALID_JSON, rejected(parse(bad)), bad);
        }
        // the standard forms of the same are fine
        var ok = assertInstanceOf(
                ParsedInput.Accepted.class, parse("{\"text\":\"a\\tb\",\"n\":7,\"m\":0.5,\"e\":-1e3,\"a\":[1,2]}"));
        assertEquals("a\tb", ok.text());
        assertEquals("{\"n\":7,\"m\":0.5,\"e\":-1E+3,\"a\":[1,2]}", ok.extras().toString());
    }

    /**
     * Numbers are carried exactly as written: a double would turn 1e400 into the string "Infinity" (a number
     * becoming a string) and round 0.1000000000000000055511151231257827 to 0.1.
     */
    @Test
    void numbersAreCarriedWithoutLoss() {
        var ok = assertInstanceOf(
                ParsedInput.Accepted.class,
                parse(
                        "{\"id\":1e400,\"text\":\"x\",\"big\":-1e400,\"exact\":0.1000000000000000055511151231257827,\"int\":123456789012345678901234567890}"));
        assertEquals("1E+400", ok.id());
        assertTrue(ok.extras().get("big").isNumber(), ok.extras().toString());
        assertEquals("-1E+400", ok.extras().get("big").asText());
        assertEquals(
                "0.1000000000000000055511151231257827",
                ok.extras().get("exact").decimalValue().toPlainString());
        assertEquals("123456789012345678901234567890", ok.extras().get("int").asText());
    }

    /**
     * auto: only a value starting with '{' is read as JSON, so a top-level array or scalar is plain text;
     * json: it is NOT_AN_OBJECT (or INVALID_JSON when it is no JSON at all).
     */
    @Test
    void topLevelArraysAndScalars() {
        assertEquals(
                "[1,2]",
                assertInstanceOf(ParsedInput.Accepted.class, parse("[1,2]")).text());
        assertEquals(
                "42", assertInstanceOf(ParsedInput.Accepted.class, parse("42")).text());
        assertEquals(
                "\"quoted\"",
                assertInstanceOf(ParsedInput.Accepted.class, parse("\"quoted\""))
                        .text());
        InputParser json = new InputParser(new InputOptions(InputOptions.Format.JSON, 1000, "text", "id", true));
        for (String notObject : List.of("[{\"text\":\"x\"}]", "42", "\"x\"", "true", "null")) {
            assertEquals(
                    RejectReason.NOT_AN_OBJECT,
                    rejected(json.parse(null, notObject.getBytes(StandardCharsets.UTF_8), "t", 0, 0)),
                    notObject);
        }
        assertEquals(
                RejectReason.INVALID_JSON,
                rejected(json.parse(null, "[1] [2]".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
        assertEquals(
                RejectReason.NOT_AN_OBJECT,
                rejected(json.parse(null, " ".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
    }

    /** A leading UTF-8 byte order mark is dropped (some Windows producers write one); anywhere else it is content. */
    @Test
    void leadingByteOrderMarkIsDropped() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json = "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, withBom, 0, 3);
        System.arraycopy(json, 0, withBom, 3, json.length);
        assertEquals(
                "x",
                assertInstanceOf(ParsedInput.Accepted.class, parse(null, withBom))
                        .text());
        assertEquals(RejectReason.INVALID_JSON, rejected(parse("{\"text\":\"x\"}\uFEFF")));
    }

    @Test
    void unicodeTextIsAccepted() {
        String t = "Zürich 🇨🇭 東京 مرحبا e\u0301 👩‍💻";
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("{\"text\":\"" + t + "\"}"));
        assertEquals(t, ok.text());
    }
}
