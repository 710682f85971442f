package io.streamnlp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Kafka's test kit (the demo's embedded broker) is an optional dependency: a project that embeds the library does
 * not get it, so nothing the library runs may load it. Follows every streamnlp class that the entry points refer to,
 * in their bytecode, and fails on one that refers to the test kit or to the broker's wrapper.
 */
class LibraryClasspathTest {
    /** Where an embedder (or the standalone processor) starts. */
    private static final List<String> ENTRY_POINTS =
            List.of("io/streamnlp/StreamNlp", "io/streamnlp/Enricher", "io/streamnlp/app/EnricherApp");

    private static final Pattern OWN_CLASS = Pattern.compile("io/streamnlp/[A-Za-z0-9_/$]+");
    private static final List<String> FORBIDDEN = List.of("org/apache/kafka/common/test/", "io/streamnlp/local/");

    @Test
    void nothingTheLibraryRunsRefersToKafkasTestKit() throws IOException {
        TreeMap<String, String> offenders = new TreeMap<>();
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(ENTRY_POINTS);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) {
                continue;
            }
            String bytecode = classBytes(name);
            if (bytecode == null) {
                continue; // a package name or a resource path, not a class
            }
            for (String bad : FORBIDDEN) {
                if (bytecode.contains(bad)) {
                    offenders.put(name, bad);
                }
            }
            Matcher m = OWN_CLASS.matcher(bytecode);
            while (m.find()) {
                todo.push(m.group());
            }
        }
        assertTrue(seen.contains("io/streamnlp/topology/EnrichProcessor"), "the walk reaches the processor: " + seen);
        assertTrue(seen.contains("io/streamnlp/inference/OnnxEnrichmentEngine"), "and the engine");
        assertEquals(new TreeMap<>(), offenders, "classes on the library's path that refer to the test kit");
    }

    @Test
    void theWalkSeesAReferenceToTheTestKit() throws IOException {
        // the check above would pass on any class it could not read: the demo's pipeline is one that does refer to it
        assertTrue(classBytes("io/streamnlp/local/LocalPipeline").contains("io/streamnlp/local/"));
    }

    /** The class file as ISO-8859-1 text (its constant pool names every class it uses), or null when there is none. */
    private static String classBytes(String name) throws IOException {
        try (InputStream in = LibraryClasspathTest.class.getClassLoader().getResourceAsStream(name + ".class")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
