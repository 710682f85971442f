package io.streamnlp.api.dlq;

/** Why a record went to the dead-letter topic; the name is the {@code streamnlp.error} header's value. */
public enum RejectReason {
    NULL_VALUE("record value is null"),
    TOO_LARGE("record value is larger than input.max.bytes"),
    INVALID_UTF8("record value is not valid UTF-8"),
    INVALID_JSON("record value is not valid JSON"),
    NOT_AN_OBJECT("JSON value is not an object"),
    MISSING_TEXT("JSON object has no text field"),
    TEXT_NOT_STRING("JSON text field is not a string"),
    EMPTY_TEXT("text is empty or only whitespace"),
    BINARY_TEXT("text contains NUL characters"),
    UNTOKENIZABLE("text has no content a model can read (e.g. only zero-width or control characters)"),
    INFERENCE_FAILED("the model failed on this record"),
    OUTPUT_TOO_LARGE("an output event for this record would exceed the output topic's maximum message size");

    private final String description;

    RejectReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
