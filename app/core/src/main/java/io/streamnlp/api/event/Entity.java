package io.streamnlp.api.event;

/**
 * One named entity found in a text.
 *
 * @param text  exactly the slice of the original text between {@code start} and {@code end}
 * @param label entity type without scheme prefix (PER, LOC, ORG, MISC, ...)
 * @param start offset of the first character, counted in Unicode code points (as Python's str and
 *              Hugging Face offsets count), inclusive
 * @param end   offset after the last character, in code points, exclusive
 * @param score mean probability of the entity's words
 */
public record Entity(String text, String label, int start, int end, double score) {}
