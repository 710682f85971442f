package io.streamnlp.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streamnlp.config.InputOptions;
import java.nio.charset.StandardCharsets;
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
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("{\"id\":\"a1\",\"text\":\"Hello Paris\",\"lang\":\"en\",\"n\":3}"));
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
        var withKey = assertInstanceOf(ParsedInput.Accepted.class, parse("doc-9", "Just text.".getBytes(StandardCharsets.UTF_8)));
        assertEquals("doc-9", withKey.id());
        assertEquals("Just text.", withKey.text());
        var noKey = assertInstanceOf(ParsedInput.Accepted.class, parse("Just text."));
        assertEquals("in-2-7", noKey.id());
        assertEquals(0, noKey.extras().size());
    }

    @Test
    void jsonWithoutIdFallsBackToKey() {
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("k1", "{\"text\":\"abc\"}".getBytes(StandardCharsets.UTF_8)));
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
        assertEquals(RejectReason.NOT_AN_OBJECT, rejected(json.parse(null, "[1,2]".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
        assertEquals(RejectReason.INVALID_JSON, rejected(json.parse(null, "plain".getBytes(StandardCharsets.UTF_8), "t", 0, 0)));
    }

    @Test
    void textModeTakesBracesLiterally() {
        InputParser text = new InputParser(new InputOptions(InputOptions.Format.TEXT, 1000, "text", "id", true));
        var ok = assertInstanceOf(ParsedInput.Accepted.class, text.parse(null, "{not json".getBytes(StandardCharsets.UTF_8), "t", 0, 0));
        assertEquals("{not json", ok.text());
    }

    @Test
    void oversizedAndDeeplyNestedAreRejected() {
        InputParser small = new InputParser(new InputOptions(InputOptions.Format.AUTO, 100, "text", "id", true));
        assertEquals(RejectReason.TOO_LARGE, rejected(small.parse(null, new byte[101], "t", 0, 0)));
        String deep = "{\"text\":\"x\",\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";
        assertEquals(RejectReason.INVALID_JSON, rejected(parse(deep)));
    }

    @Test
    void unicodeTextIsAccepted() {
        String t = "Zürich 🇨🇭 東京 مرحبا e\u0301 👩‍💻";
        var ok = assertInstanceOf(ParsedInput.Accepted.class, parse("{\"text\":\"" + t + "\"}"));
        assertEquals(t, ok.text());
    }
}
