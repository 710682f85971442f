package io.streamnlp.app;

import io.streamnlp.api.engine.EnrichmentEngine;
import io.streamnlp.batching.BatchListener;
import io.streamnlp.batching.CoordinatorRegistry;
import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import io.streamnlp.runtime.EnrichmentRuntime;
import io.streamnlp.topology.EnricherTopology;
import io.streamnlp.topology.RecordMetrics;
import io.streamnlp.topology.Settings;
import io.streamnlp.topology.StreamsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running processor: models loaded, topology built, Kafka Streams started. */
public final class EnricherApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnricherApp.class);

    private final EnrichmentRuntime runtime;
    private final KafkaStreams streams;
    private final Properties streamsProps;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Another instance joined as this one's static member: it is now the group's, and this one must not remove it. */
    private volatile boolean fenced;

    private EnricherApp(EnrichmentRuntime runtime, KafkaStreams streams, Properties streamsProps) {
        this.runtime = runtime;
        this.streams = streams;
        this.streamsProps = streamsProps;
    }

    /** Loads the models (failing fast on a bad bundle or config) and starts the stream. */
    public static EnricherApp start(EnricherConfig config, BatchListener listener) {
        return start(config, listener, RecordMetrics.NONE);
    }

    /** As {@link #start(EnricherConfig, BatchListener)}, counting every record read, written and dead-lettered. */
    public static EnricherApp start(EnricherConfig config, BatchListener listener, RecordMetrics metrics) {
        return start(config, listener, metrics, e -> e);
    }

    /** As above, with the opened engine wrapped (tests: an engine that can hold or fail a batch). */
    public static EnricherApp start(
            EnricherConfig config,
            BatchListener listener,
            RecordMetrics metrics,
            UnaryOperator<EnrichmentEngine> wrap) {
        Settings.from(config); // a bad topology setting fails before the models load
        Properties streamsProps = StreamsSettings.from(config);
        StreamsSettings.refuseDroppingHandlers(streamsProps, ConfigKeys.KAFKA_PREFIX);
        InstanceIdentity.requireWritable(Path.of(streamsProps.getProperty(StreamsConfig.STATE_DIR_CONFIG)));
        InstanceIdentity.apply(config, streamsProps);
        EnrichmentRuntime runtime = EnrichmentRuntime.open(config, listener, wrap);
        try {
            StartupChecks.brokerReachable(config);
            ClusterAccess.check(config, runtime.settings());
            Settings settings = OutputLimits.apply(config, runtime.settings());
            KafkaStreams streams =
                    new KafkaStreams(EnricherTopology.build(settings, runtime.registry(), metrics), streamsProps);
            EnricherApp app = new EnricherApp(runtime, streams, streamsProps);
            streams.setUncaughtExceptionHandler(e -> {
                if (causedBy(e, FencedInstanceIdException.class)) {
                    app.fenced = true;
                    log.error(
                            "another instance joined the consumer group as this one ({}): two instances share one"
                                    + " identity, because this one's {} was copied from the other's (or both were"
                                    + " given one kafka.group.instance.id), and they fence each other in a loop."
                                    + " Give each instance its own {}; stopping this one",
                            streamsProps.getProperty(
                                    StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)),
                            ConfigKeys.STATE_DIR,
                            ConfigKeys.STATE_DIR);
                } else {
                    log.error(
                            "stream thread failed; shutting this instance down (a static member leaves the consumer"
                                    + " group once its threads have stopped, so its tasks move to the others)",
                            e);
                }
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.setStateListener((now, before) -> {
                log.info("streams state {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    app.stopped.countDown();
                }
            });
            streams.start();
            return app;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public EnrichmentEngine engine() {
        return runtime.engine();
    }

    public CoordinatorRegistry registry() {
        return runtime.registry();
    }

    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State s = streams.state();
            if (s == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (s == KafkaStreams.State.ERROR
                    || s == KafkaStreams.State.NOT_RUNNING
                    || s == KafkaStreams.State.PENDING_ERROR) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Blocks until the streams client stops (shutdown or fatal error). */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean failed() {
        return streams.state() == KafkaStreams.State.ERROR;
    }

    /**
     * Stops the stream; records still buffered stay in the changelogged store for the next owner. Only once every
     * stream thread is gone are the native model sessions released: a thread still inside a batch would otherwise
     * find the engine closed. When the threads do not stop within {@code timeout}, nothing is closed and false is
     * returned: the caller should exit the process, leaving the open transaction uncommitted (its records are
     * re-run by the next owner), rather than turn good records into dead letters.
     */
    public boolean close(Duration timeout) {
        // A static member does not leave the group on its own: leave explicitly, so a clean stop hands its partitions
        // over at once (only a crash keeps them for the same instance's restart).
        boolean stopped = streams.close(CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (stopped && streams.state() == KafkaStreams.State.ERROR && !fenced) {
            leaveGroupAfterFatalError(timeout);
        }
        if (!stopped) {
            log.error(
                    "the stream threads did not stop within {}; leaving the model loaded and exiting without a commit"
                            + " (buffered records stay in the changelog for the next owner)",
                    timeout);
            return false;
        }
        runtime.close();
        return true;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * After a fatal error Kafka Streams stops its threads without leaving the group (and close() then has nothing to
     * do), so a static member's partitions would wait out session.timeout.ms: remove this instance's static members
     * (one per stream thread, named as Kafka Streams names them) from the group, so they move to the others at once.
     */
    private void leaveGroupAfterFatalError(Duration timeout) {
        StreamsConfig config = new StreamsConfig(streamsProps, false) {}; // quiet: Kafka Streams logged it already
        String appId = config.getString(StreamsConfig.APPLICATION_ID_CONFIG);
        int threads = config.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        List<MemberToRemove> members = new ArrayList<>();
        for (int i = 1; i <= threads; i++) {
            Object id = config.getMainConsumerConfigs(appId, "leave", i).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
            if (id != null) {
                members.add(new MemberToRemove(id.toString()));
            }
        }
        if (members.isEmpty()) {
            log.info("the stream stopped after a fatal error; its partitions move once session.timeout.ms expires");
            return;
        }
        try (Admin admin = Admin.create(config.getAdminConfigs("streamnlp-leave"))) {
            admin.removeMembersFromConsumerGroup(appId, new RemoveMembersFromConsumerGroupOptions(members))
                    .all()
                    .get(Math.max(1000, timeout.toMillis()), TimeUnit.MILLISECONDS);
            log.info("left the consumer group after the fatal error: its partitions move to the other instances now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn(
                    "could not leave the consumer group after the fatal error ({}): its partitions move once"
                            + " session.timeout.ms expires",
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
