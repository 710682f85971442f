package io.streamnlp.it.broker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a real broker: see {@link KafkaBrokerExtension} for what it injects and which broker
 * it is.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(KafkaBrokerExtension.class)
public @interface WithKafka {
    /**
     * A broker of the class's own, in this JVM, stopped after the class: for tests that stop and restart the broker
     * (through {@link EmbeddedBroker#kafka()}), which must not take the other classes' broker down with it.
     */
    boolean ownBroker() default false;

    /**
     * A broker of the class's own in a process of its own ({@link ProcessBroker}), stopped after the class: for fault
     * tests that want the broker apart from the test JVM, as in a real deployment.
     */
    boolean brokerProcess() default false;
}
