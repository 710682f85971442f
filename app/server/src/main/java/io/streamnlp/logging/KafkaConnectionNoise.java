package io.streamnlp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * The Kafka clients' {@code NetworkClient} warns at every reconnect attempt while a broker does not answer: 34 lines
 * in the 30 s of a start-up check against no broker, 31 for a 6 s broker restart under a running processor. This says
 * it once instead:
 *
 * <ul>
 *   <li>the start-up check's own client ({@link #STARTUP_CHECK_CLIENT_ID}) is silent: the check ends in one error
 *       line naming {@code bootstrap.servers} when the cluster does not answer in time;
 *   <li>any other client's connection warnings become one line of ours per outage ("the Kafka cluster does not
 *       answer at ..."), the rest dropped until none has come for {@link #QUIET} (a new outage then gets a new line).
 * </ul>
 *
 * Only connection warnings: authentication, authorization and every other NetworkClient message pass as they are,
 * and so does everything under {@code --verbose} (which turns this off). A turbo filter, so that its own line is an
 * ordinary event (an appender's filter cannot log).
 */
public final class KafkaConnectionNoise extends TurboFilter {
    /** The client.id prefix of the start-up check's admin client (a number follows: one JVM may run several). */
    public static final String STARTUP_CHECK_CLIENT_ID = "streamnlp-startup-check-";

    private static final AtomicInteger CHECKS = new AtomicInteger();

    /** A fresh client.id for one start-up check (a client.id in use twice makes Kafka warn about its MBean). */
    public static String startupCheckClientId() {
        return STARTUP_CHECK_CLIENT_ID + CHECKS.incrementAndGet();
    }

    static final String LOGGER = "org.apache.kafka.clients.NetworkClient";
    /** A connection warning after this long without one starts a new outage. */
    static final long QUIET = TimeUnit.SECONDS.toNanos(30);

    private static final Pattern ADDRESS = Pattern.compile("\\(([^()\\s]+:\\d+)\\)");
    /** Our line's logger (%logger{0}: KafkaConnection). */
    static final String OURS = "io.streamnlp.KafkaConnection";

    private final LongSupplier clock;
    private volatile boolean enabled = true;
    private long lastWarning = Long.MIN_VALUE;
    private boolean seen;

    public KafkaConnectionNoise() {
        this(System::nanoTime);
    }

    KafkaConnectionNoise(LongSupplier clock) {
        this.clock = clock;
    }

    void enabled(boolean on) {
        this.enabled = on;
    }

    static boolean isConnectionWarning(String message) {
        return message.contains("could not be established. Node may not be available")
                || (message.contains("Bootstrap broker") && message.contains("disconnected"))
                || message.contains("Error connecting to node");
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (!enabled || level != Level.WARN || format == null || !LOGGER.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        String message = MessageFormatter.arrayFormat(format, params).getMessage();
        if (!isConnectionWarning(message)) {
            return FilterReply.NEUTRAL;
        }
        if (message.contains("clientId=" + STARTUP_CHECK_CLIENT_ID)) {
            return FilterReply.DENY;
        }
        boolean newOutage;
        synchronized (this) {
            long now = clock.getAsLong();
            newOutage = !seen || now - lastWarning > QUIET;
            seen = true;
            lastWarning = now;
        }
        if (newOutage) {
            Matcher m = ADDRESS.matcher(message);
            logger.getLoggerContext()
                    .getLogger(OURS)
                    .warn(
                            "the Kafka cluster does not answer{}; its clients keep retrying (their further connection warnings"
                                    + " are dropped until none has come for {} s; --verbose shows them)",
                            m.find() ? " at " + m.group(1) : "",
                            TimeUnit.NANOSECONDS.toSeconds(QUIET));
        }
        return FilterReply.DENY;
    }
}
