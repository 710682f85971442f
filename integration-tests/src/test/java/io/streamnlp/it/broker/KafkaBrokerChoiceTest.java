package io.streamnlp.it.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which broker the integration tests share when a Docker engine answers but cannot pull (an air-gapped machine). */
class KafkaBrokerChoiceTest {
    static final List<String> IMAGES = List.of("apache/kafka:4.3.1", "testcontainers/ryuk:0.12.0");

    /** What an engine with no registry answers to a pull (as a Docker 20.10 engine here did). */
    static final KafkaBrokerExtension.ImageProbe NO_REGISTRY = image -> {
        throw new IllegalStateException(
                "Status 500: {\"message\":\"Get \\\"https://registry-1.docker.io/v2/\\\": dial tcp:"
                        + " lookup registry-1.docker.io: no such host\"}");
    };

    @Test
    void anEngineThatCannotPullIsAskedOnceAndTheInJvmBrokerTakesOver() {
        List<String> asked = new ArrayList<>();
        KafkaBrokerExtension.Choice c = KafkaBrokerExtension.choose("", () -> true, IMAGES, image -> {
            asked.add(image);
            NO_REGISTRY.ensure(image);
        });
        assertFalse(c.container());
        assertEquals(List.of("apache/kafka:4.3.1"), asked, "one probe, no retries");
        assertTrue(
                c.why()
                        .startsWith(
                                "a Docker engine answers, but the image apache/kafka:4.3.1 cannot be pulled (Status 500:"),
                c.why());
        assertTrue(c.why().contains("no such host"), c.why());
    }

    @Test
    void aMissingRyukImageCountsToo() {
        KafkaBrokerExtension.Choice c = KafkaBrokerExtension.choose("", () -> true, IMAGES, image -> {
            if (image.startsWith("testcontainers/ryuk")) {
                NO_REGISTRY.ensure(image);
            }
        });
        assertFalse(c.container());
        assertTrue(c.why().contains("testcontainers/ryuk:0.12.0 cannot be pulled"), c.why());
    }

    @Test
    void aForcedContainerThatCannotBePulledFailsAtOnceNamingTheImageAndTheWayOut() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> KafkaBrokerExtension.choose("container", () -> true, IMAGES, NO_REGISTRY));
        assertTrue(e.getMessage().contains("apache/kafka:4.3.1 cannot be pulled"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dstreamnlp.it.broker=embedded"), e.getMessage());
    }

    @Test
    void otherwiseAsBefore() {
        assertTrue(
                KafkaBrokerExtension.choose("", () -> true, IMAGES, image -> {}).container());
        KafkaBrokerExtension.Choice none = KafkaBrokerExtension.choose("", () -> false, IMAGES, NO_REGISTRY);
        assertEquals(new KafkaBrokerExtension.Choice(false, "no Docker engine"), none);
        assertFalse(KafkaBrokerExtension.choose("embedded", () -> true, IMAGES, NO_REGISTRY)
                .container());
        assertThrows(
                IllegalArgumentException.class,
                () -> KafkaBrokerExtension.choose("podman", () -> true, IMAGES, NO_REGISTRY));
    }
}
