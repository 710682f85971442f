package io.streamnlp.it.broker;

import io.streamnlp.config.Topics;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Topic and application-id names of one test, unique on the broker the whole test JVM shares: they name the test
 * (class and method, to find its topics in a broker log) and carry a number no other name in this JVM has.
 */
public final class TestNames {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private final String test;

    TestNames(String testClass, String testMethod) {
        String t = testMethod == null ? testClass : testClass + "-" + testMethod;
        // legal in topic names and short enough that changelog and transactional ids built on them stay so too
        t = t.replaceAll("[^A-Za-z0-9-]", "-");
        this.test = t.length() > 60 ? t.substring(0, 60) : t;
    }

    /** A new name: {@code prefix-Class-method-N}. */
    public String next(String prefix) {
        return prefix + "-" + test + "-" + SEQUENCE.incrementAndGet();
    }

    /** A new application.id. */
    public String applicationId() {
        return next("app");
    }

    /** A new set of the processor's four topics, named alike ({@code …-in}, {@code …-entities}, …). */
    public Topics topics() {
        String base = next("t");
        return new Topics(base + "-in", base + "-entities", base + "-topics", base + "-dlq");
    }
}
