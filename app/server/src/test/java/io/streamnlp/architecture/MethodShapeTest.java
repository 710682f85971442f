package io.streamnlp.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.thirdparty.org.objectweb.asm.ClassReader;
import com.tngtech.archunit.thirdparty.org.objectweb.asm.ClassVisitor;
import com.tngtech.archunit.thirdparty.org.objectweb.asm.Label;
import com.tngtech.archunit.thirdparty.org.objectweb.asm.MethodVisitor;
import com.tngtech.archunit.thirdparty.org.objectweb.asm.Opcodes;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Method length and parameter count of both modules' main code, read from the class files: a method's length is the
 * span of source lines its own bytecode covers (a lambda's body counts for the lambda), its parameters those the
 * compiler declares (a record's canonical constructor, which takes its components, is not counted; nor is a static
 * initializer, which is a table of definitions).
 */
class MethodShapeTest {
    static final int MAX_LINES = 100;
    static final int MAX_PARAMETERS = 8;

    /** Value types whose one constructor takes every field (as a record's would). */
    static final Set<String> VALUE_TYPES =
            Set.of("io.streamnlp.model.ModelBundle", "io.streamnlp.tokenize.EncodedText");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.streamnlp");
    }

    @Test
    void noMethodIsLongerThanTheLimit() throws IOException {
        Map<String, Integer> tooLong = new TreeMap<>();
        int read = 0;
        for (JavaClass c : classes) {
            for (Map.Entry<String, Integer> m : lineSpans(c).entrySet()) {
                read++;
                String name = c.getName() + "." + m.getKey();
                if (m.getValue() > MAX_LINES) {
                    tooLong.put(name, m.getValue());
                }
            }
        }
        assertTrue(read > 1000, "the class files have line numbers: " + read + " methods read");
        assertEquals(Map.of(), tooLong, "methods over " + MAX_LINES + " lines: split them along their stages");
    }

    @Test
    void noMethodTakesMoreThanTheLimitOfParameters() {
        Map<String, Integer> tooMany = new TreeMap<>();
        for (JavaClass c : classes) {
            for (JavaMethod m : c.getMethods()) {
                if (!m.getModifiers().contains(JavaModifier.SYNTHETIC)
                        && m.getRawParameterTypes().size() > MAX_PARAMETERS) {
                    tooMany.put(m.getFullName(), m.getRawParameterTypes().size());
                }
            }
            boolean record = c.getRawSuperclass()
                    .map(s -> s.getName().equals("java.lang.Record"))
                    .orElse(false);
            if (!record && !VALUE_TYPES.contains(c.getName())) {
                c.getConstructors().stream()
                        .filter(k -> k.getRawParameterTypes().size() > MAX_PARAMETERS)
                        .forEach(k -> tooMany.put(
                                k.getFullName(), k.getRawParameterTypes().size()));
            }
        }
        assertEquals(Map.of(), tooMany, "more than " + MAX_PARAMETERS + " parameters: pass a record instead");
    }

    /** Per method (name and descriptor), the source lines its bytecode spans. */
    private static Map<String, Integer> lineSpans(JavaClass c) throws IOException {
        Map<String, Integer> spans = new TreeMap<>();
        String resource = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.reflect().getClassLoader().getResourceAsStream(resource)) {
            new ClassReader(in)
                    .accept(
                            new ClassVisitor(Opcodes.ASM9) {
                                @Override
                                public MethodVisitor visitMethod(
                                        int access,
                                        String name,
                                        String descriptor,
                                        String signature,
                                        String[] exceptions) {
                                    if ((access & Opcodes.ACC_SYNTHETIC) != 0 || name.equals("<clinit>")) {
                                        return null;
                                    }
                                    return new MethodVisitor(Opcodes.ASM9) {
                                        int first = Integer.MAX_VALUE;
                                        int last = Integer.MIN_VALUE;

                                        @Override
                                        public void visitLineNumber(int line, Label start) {
                                            first = Math.min(first, line);
                                            last = Math.max(last, line);
                                        }

                                        @Override
                                        public void visitEnd() {
                                            if (last >= first) {
                                                spans.merge(name, last - first + 1, Math::max);
                                            }
                                        }
                                    };
                                }
                            },
                            ClassReader.SKIP_FRAMES);
        }
        return spans;
    }
}
