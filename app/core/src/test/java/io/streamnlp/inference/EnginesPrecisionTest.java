package io.streamnlp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnlp.api.engine.Device;
import io.streamnlp.config.ConfigException;
import io.streamnlp.config.EnricherConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inference.precision: which folder is served for a bundle that has an int8-compute sibling, and for one that has none. */
class EnginesPrecisionTest {
    @TempDir
    Path tmp;

    private Path bundle(String name, String version) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.writeString(d.resolve("bundle.json"), "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
        return d;
    }

    @Test
    void autoServesTheInt8SiblingOnCpuAndTheBundleAsGivenOnCuda() throws IOException {
        Path fp32 = bundle("m", "1.1.0");
        Path int8 = bundle("m-int8", "1.1.0");
        assertEquals(int8, Engines.forPrecision(fp32, "auto", Device.CPU, "ner.model"));
        assertEquals(
                int8,
                Engines.forPrecision(fp32, "auto", Device.AUTO, "ner.model"),
                "the CPU build of ONNX Runtime has no CUDA provider");
        assertEquals(fp32, Engines.forPrecision(fp32, "auto", Device.CUDA, "ner.model"));
        assertEquals(fp32, Engines.forPrecision(fp32, "fp32", Device.CPU, "ner.model"));
        assertEquals(int8, Engines.forPrecision(fp32, "int8", Device.CUDA, "ner.model"), "int8 is int8 on any device");
        assertEquals(
                int8,
                Engines.forPrecision(int8, "auto", Device.CPU, "ner.model"),
                "an int8 bundle given directly is served as given");
    }

    @Test
    void aBundleWithoutSiblingIsServedAsGivenUnlessInt8IsDemanded() throws IOException {
        Path own = bundle("own", "2.0.0");
        assertEquals(own, Engines.forPrecision(own, "auto", Device.CPU, "ner.model"));
        ConfigException e =
                assertThrows(ConfigException.class, () -> Engines.forPrecision(own, "int8", Device.CPU, "ner.model"));
        assertTrue(
                e.getMessage().contains("inference.precision=int8")
                        && e.getMessage().contains("quantize_int8.py"),
                e.getMessage());
    }

    @Test
    void aSiblingOfAnotherVersionIsNotServed() throws IOException {
        Path fp32 = bundle("r", "1.2.0");
        bundle("r-int8", "1.1.0"); // made from the previous training run
        assertEquals(fp32, Engines.forPrecision(fp32, "auto", Device.CPU, "ner.model"));
    }

    @Test
    void theShippedDefaultServesTheShippedInt8BundleOnCpu() {
        EnricherConfig c =
                EnricherConfig.builder().set("inference.device", "cpu").build();
        assertEquals(
                "minilm-l6-conll03-agnews-int8",
                Engines.options(c).nerBundle().getFileName().toString());
        assertEquals(
                "minilm-l6-conll03-agnews-int8",
                Engines.options(c).topicBundle().getFileName().toString());
        EnricherConfig fp32 = EnricherConfig.builder()
                .set("inference.device", "cpu")
                .set("inference.precision", "fp32")
                .build();
        assertEquals(
                "minilm-l6-conll03-agnews",
                Engines.options(fp32).nerBundle().getFileName().toString());
    }
}
