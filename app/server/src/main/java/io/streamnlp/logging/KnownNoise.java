package io.streamnlp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Drops the WARN lines of other libraries that a normal demo, eval or run prints although nothing is wrong and the
 * user can do nothing about them. Each rule names one logger and, where that logger also says useful things, the one
 * message; every rule says why the message is harmless. ERROR events always pass, and so does everything under
 * {@code --verbose} (which turns this filter off).
 */
public final class KnownNoise extends Filter<ILoggingEvent> {
    record Rule(String logger, Predicate<String> message, String why) {}

    private static final Set<String> TEMPORARY_STATE_DIRS = ConcurrentHashMap.newKeySet();

    static final List<Rule> RULES = List.of(
            new Rule(
                    "org.apache.kafka.clients.producer.internals.Sender",
                    m -> m.contains("Error: CONCURRENT_TRANSACTIONS"),
                    "A retriable produce error: the broker is still writing the markers of this producer's previous "
                            + "transaction (exactly-once commits every commit.interval.ms) when the next one's first records "
                            + "arrive. The producer retries after retry.backoff.ms and succeeds; one that never did would end in "
                            + "a transaction timeout, which is an error and is logged as one. Kafka 4 logs every retry at WARN."),
            new Rule(
                    "ai.djl.util.cuda.CudaUtils",
                    m -> true,
                    "DJL's GPU probe, run when the tokenizer library loads: it only chooses which native build of DJL to "
                            + "load, and the Hugging Face tokenizers run on the CPU anyway. A machine with a CUDA runtime library "
                            + "but no usable GPU/driver gets 'Failed to detect GPU count' twice. Inference runs on ONNX Runtime, "
                            + "whose device the engine reports itself."),
            // The embedded single-node broker of demo, eval and bench (never present in `run`):
            new Rule(
                    "org.apache.kafka.controller.QuorumController",
                    m -> m.contains("The metadata log appears to be empty"),
                    "The embedded broker formats a fresh metadata log at every start, as it should."),
            new Rule(
                    "kafka.server.DefaultAutoTopicCreationManager",
                    m -> (m.contains("__consumer_offsets") || m.contains("__transaction_state"))
                            && m.contains("TOPIC_ALREADY_EXISTS"),
                    "Two clients looked up their group (or transaction) coordinator at once, both asked the broker to create "
                            + "the offsets (or transaction state) topic and the second found it created: what was wanted."),
            new Rule(
                    "org.apache.kafka.clients.NetworkClient",
                    m -> m.contains("Attempting to close NetworkClient that has already been closed"),
                    "The embedded broker's shutdown closes its controller channel twice; the second close does nothing."),
            new Rule(
                    "org.apache.kafka.streams.processor.internals.StateDirectory",
                    m -> m.contains("Using an OS temp directory in the state.dir")
                            && TEMPORARY_STATE_DIRS.stream().anyMatch(m::contains),
                    "demo, eval and bench keep their state in a fresh temporary folder on purpose and delete it after: "
                            + "nothing there needs to outlive the run. (For `run` the warning stays: there state.dir holds the "
                            + "instance's identity and should be kept.)"));

    private volatile boolean enabled = true;

    /** A state.dir made for one throwaway local pipeline (its temp-folder warning is expected). */
    public static void temporaryStateDir(Path dir) {
        TEMPORARY_STATE_DIRS.add(dir.toString());
    }

    void enabled(boolean on) {
        this.enabled = on;
    }

    @Override
    public FilterReply decide(ILoggingEvent e) {
        if (!enabled || e.getLevel().isGreaterOrEqual(Level.ERROR)) {
            return FilterReply.NEUTRAL;
        }
        for (Rule r : RULES) {
            if (r.logger().equals(e.getLoggerName()) && r.message().test(e.getFormattedMessage())) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
