package io.streamnlp.it.broker;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker for the whole test JVM, started by the first class that asks ({@link WithKafka}) and stopped when the
 * JVM's tests are done. It is a Testcontainers {@link ContainerBroker} where a Docker engine answers, else the in-JVM
 * {@link EmbeddedBroker}; {@code -Dstreamnlp.it.broker=embedded} or {@code =container} forces one (container then
 * fails where there is no engine rather than quietly testing something else). Which one it is is logged once.
 *
 * <p>Injected: fields of type {@link TestBroker} (static ones before {@code @BeforeAll}, instance ones per
 * instance, {@link EmbeddedBroker} too on an {@link WithKafka#ownBroker() own broker}), and parameters of type
 * {@link TestBroker}, {@link Admin} (the broker's one admin client) and {@link TestNames} (fresh names per test;
 * per class in {@code @BeforeAll}).
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {
    /** The system property that forces a broker kind. */
    public static final String PROPERTY = "streamnlp.it.broker";

    private static final Logger log = LoggerFactory.getLogger(KafkaBrokerExtension.class);
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

    /**
     * Settings of a single-node broker: replication of the internal topics is 1, few partitions for them (fast
     * start-up of groups and transactions), no waiting for a group to fill, and no topic created by accident (a
     * test's topics are its own, made up front).
     */
    static final Map<String, String> BROKER_SETTINGS = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "4",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "4",
            "group.initial.rebalance.delay.ms", "0",
            "num.partitions", "1",
            "auto.create.topics.enable", "false");

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        inject(context.getRequiredTestClass(), null, broker(context));
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) throws IllegalAccessException {
        inject(instance.getClass(), instance, broker(context));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestBroker.class
                || type == Admin.class
                || type == TestNames.class
                || type == EmbeddedBroker.class && ownBroker(context);
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == TestNames.class) {
            return new TestNames(
                    context.getRequiredTestClass().getSimpleName(),
                    context.getTestMethod().map(m -> m.getName()).orElse(null));
        }
        TestBroker broker = broker(context);
        return type == Admin.class ? broker.admin() : broker;
    }

    private static void inject(Class<?> type, Object instance, TestBroker broker) throws IllegalAccessException {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                boolean wanted = f.getType() == TestBroker.class
                        || f.getType() == EmbeddedBroker.class && broker instanceof EmbeddedBroker;
                if (wanted
                        && Modifier.isStatic(f.getModifiers()) == (instance == null)
                        && !Modifier.isFinal(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(instance, broker);
                }
            }
        }
    }

    private static boolean ownBroker(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), WithKafka.class)
                .map(WithKafka::ownBroker)
                .orElse(false);
    }

    private static boolean brokerProcess(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), WithKafka.class)
                .map(WithKafka::brokerProcess)
                .orElse(false);
    }

    private static TestBroker broker(ExtensionContext context) {
        if (brokerProcess(context)) {
            ExtensionContext classContext = context;
            while (!(classContext.getElement().orElse(null) instanceof Class<?>)) {
                classContext = classContext.getParent().orElseThrow();
            }
            String name = classContext.getRequiredTestClass().getSimpleName();
            return classContext
                    .getStore(NS)
                    .getOrComputeIfAbsent(
                            "process",
                            k -> {
                                long t0 = System.nanoTime();
                                ProcessBroker b = ProcessBroker.start(BROKER_SETTINGS);
                                log.info(
                                        "{}: a broker of its own, embedded in a child JVM, at {}, started in {} ms",
                                        name,
                                        b.bootstrapServers(),
                                        (System.nanoTime() - t0) / 1_000_000);
                                return b;
                            },
                            ProcessBroker.class);
        }
        if (ownBroker(context)) {
            ExtensionContext classContext = context;
            while (!(classContext.getElement().orElse(null) instanceof Class<?>)) {
                classContext = classContext.getParent().orElseThrow();
            }
            String name = classContext.getRequiredTestClass().getSimpleName();
            return classContext
                    .getStore(NS)
                    .getOrComputeIfAbsent(
                            "own",
                            k -> {
                                EmbeddedBroker b = EmbeddedBroker.start(BROKER_SETTINGS);
                                log.info(
                                        "{}: a broker of its own, embedded (in this JVM), at {}",
                                        name,
                                        b.bootstrapServers());
                                return b;
                            },
                            EmbeddedBroker.class);
        }
        // the root context's store: closed (AutoCloseable) when every test of the JVM has run
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("shared", k -> startShared(), TestBroker.class);
    }

    /** Fetches an image or says why it cannot (throws). */
    @FunctionalInterface
    interface ImageProbe {
        void ensure(String image) throws Exception;
    }

    /** Which broker the shared one is, and why (for the log line). */
    record Choice(boolean container, String why) {}

    /**
     * The shared broker's kind: forced by {@code -Dstreamnlp.it.broker}, else a container where a Docker engine answers
     * and the images it needs are there or can be pulled (asked once: an engine that cannot pull, as on an air-gapped
     * machine, would otherwise have Testcontainers retry its pulls for minutes and fail the run), else the in-JVM one.
     * A forced container whose images cannot be had fails at once, naming the image and the way out.
     */
    static Choice choose(
            String forced, java.util.function.BooleanSupplier docker, List<String> images, ImageProbe probe) {
        switch (forced) {
            case "embedded" -> {
                return new Choice(false, "-D" + PROPERTY + "=embedded");
            }
            case "container" -> {
                String missing = missingImage(images, probe);
                if (missing != null) {
                    throw new IllegalStateException("-D" + PROPERTY + "=container, but " + missing
                            + "; pull it where a registry is reachable, or run with -D" + PROPERTY + "=embedded");
                }
                return new Choice(true, "-D" + PROPERTY + "=container");
            }
            case "" -> {
                if (!docker.getAsBoolean()) {
                    return new Choice(false, "no Docker engine");
                }
                String missing = missingImage(images, probe);
                return missing == null
                        ? new Choice(true, "a Docker engine answers")
                        : new Choice(false, "a Docker engine answers, but " + missing);
            }
            default ->
                throw new IllegalArgumentException("-D" + PROPERTY + " is embedded or container, not '" + forced + "'");
        }
    }

    /** The first image that can be neither found nor pulled, with why; null when all are there. */
    private static String missingImage(List<String> images, ImageProbe probe) {
        for (String image : images) {
            try {
                probe.ensure(image);
            } catch (Exception e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return "the image " + image + " cannot be pulled ("
                        + why.strip().lines().findFirst().orElse("") + ")";
            }
        }
        return null;
    }

    private static TestBroker startShared() {
        String forced = System.getProperty(PROPERTY, "").trim();
        Choice choice = choose(
                forced, ContainerBroker::dockerAvailable, ContainerBroker.images(), ContainerBroker::ensureImage);
        long t0 = System.nanoTime();
        TestBroker b =
                choice.container() ? ContainerBroker.start(BROKER_SETTINGS) : EmbeddedBroker.start(BROKER_SETTINGS);
        log.info(
                "integration tests share one broker: {} ({}{}), at {}, started in {} ms",
                choice.container() ? "a container of " + ContainerBroker.composeImage() : "embedded (in this JVM)",
                choice.why(),
                forced.isEmpty() ? "; -D" + PROPERTY + "=embedded|container forces one" : "",
                b.bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000);
        return b;
    }
}
