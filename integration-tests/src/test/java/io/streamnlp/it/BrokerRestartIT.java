package io.streamnlp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.it.broker.EmbeddedBroker;
import io.streamnlp.it.broker.TestNames;
import io.streamnlp.it.broker.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/** The broker goes down and comes back while records flow: the processor rides it out, exactly once. */
@WithKafka(ownBroker = true) // it stops the broker: not the one the other classes share
class BrokerRestartIT {
    static EmbeddedBroker kafka;

    @Test
    void processorRidesOutABrokerRestartWithExactCounts(TestNames names) throws Exception {
        int n = 2000;
        int partitions = 6;
        List<ProcessHarness.Input> inputs = ProcessHarness.inputs("b", n, partitions, 40, 11L);
        Set<String> good = new TreeSet<>();
        Set<String> bad = new TreeSet<>();
        inputs.forEach(i -> (i.bad() ? bad : good).add(i.id()));
        try (Pipeline p = new Pipeline(
                kafka,
                names,
                ItBundles.lexiconBundle(),
                partitions,
                Map.of("kafka.consumer.session.timeout.ms", "30000"))) {
            p.start();
            AtomicInteger produced = new AtomicInteger();
            Thread producer = new Thread(
                    () -> {
                        try (KafkaProducer<byte[], byte[]> prod = ProcessHarness.producer(
                                kafka.bootstrapServers(), Map.of("delivery.timeout.ms", 180_000))) {
                            for (ProcessHarness.Input in : inputs) {
                                prod.send(in.record(p.topics.input()));
                                if (produced.incrementAndGet() % 50 == 0) {
                                    Thread.sleep(250);
                                }
                            }
                            prod.flush();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "restart-producer");
            producer.start();
            while (produced.get() < n / 3) {
                Thread.sleep(50);
            }
            BrokerServer broker =
                    kafka.kafka().cluster().brokers().values().iterator().next();
            long down = System.nanoTime();
            broker.shutdown();
            broker.awaitShutdown();
            int producedWhileDown = produced.get();
            Thread.sleep(8000);
            broker.startup();
            kafka.kafka().cluster().waitForReadyBrokers();
            long downMs = (System.nanoTime() - down) / 1_000_000;
            producer.join(180_000);
            assertEquals(n, produced.get());
            ProcessHarness.Outcome got;
            try (var c = p.collector()) {
                c.collectUntil(
                        rs -> {
                            ProcessHarness.Outcome o = new ProcessHarness.Outcome(p.topics, rs);
                            return o.entities.keySet().containsAll(good)
                                    && o.topics.keySet().containsAll(good)
                                    && o.dlq.keySet().containsAll(bad);
                        },
                        Duration.ofSeconds(180));
                c.drainFor(Duration.ofSeconds(2));
                got = new ProcessHarness.Outcome(p.topics, c.records());
            }
            var live = Stores.awaitEmpty(
                    kafka.bootstrapServers(), p.config.get(ConfigKeys.APPLICATION_ID), Duration.ofSeconds(15));
            int missing = ProcessHarness.Outcome.missing(got.entities, good)
                    + ProcessHarness.Outcome.missing(got.topics, good)
                    + ProcessHarness.Outcome.missing(got.dlq, bad);
            System.out.println("broker restart: broker down " + downMs + " ms after " + producedWhileDown
                    + " records; inputs=" + n
                    + " entities=" + got.entities.size() + " topics=" + got.topics.size() + " dlq=" + got.dlq.size()
                    + " duplicates=" + got.duplicates + " missing=" + missing + " stores at the end: "
                    + Stores.describe(live));
            assertEquals(0, got.duplicates, "duplicates " + got.duplicateIds);
            assertEquals(0, missing, "missing");
            assertEquals(good.size(), got.entities.size());
            assertEquals(good.size(), got.topics.size());
            assertEquals(bad.size(), got.dlq.size());
            Stores.assertEmpty(live);
            assertEquals(KafkaStreams.State.RUNNING, p.app.streams().state(), "the processor rode the restart out");
        }
    }
}
