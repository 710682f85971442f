package io.streamnlp.cli;

import io.streamnlp.config.ConfigKeys;
import io.streamnlp.config.EnricherConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Publishes records from a file or stdin to the input topic (or any topic). */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Publish JSON lines, plain text lines or CoNLL sentences (one record each) from a file or stdin.")
public final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    LoggingOptions logging;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Input file; '-' or none reads stdin.")
    String file;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "Topic to publish to (default: topic.input of the configuration).")
    String topic;

    @Option(
            names = "--format",
            defaultValue = "auto",
            description =
                    "auto, json, text or conll (default ${DEFAULT-VALUE}: .conll/.iob/.bio files are CoNLL, else a line starting with '{' is JSON).")
    String format;

    @Option(names = "--key-field", paramLabel = "FIELD", description = "JSON field whose value becomes the record key.")
    String keyField;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        InputRecords.Format f;
        try {
            f = InputRecords.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("error: --format must be auto, json, text or conll");
            return Main.EXIT_CONFIG;
        }
        boolean stdin = file == null || file.equals("-");
        if (!stdin && !Files.isRegularFile(Path.of(file))) {
            System.err.println("error: " + file + " does not exist");
            return Main.EXIT_CONFIG;
        }
        String content;
        try (InputStream in = stdin ? System.in : Files.newInputStream(Path.of(file))) {
            content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String source = stdin ? "stdin" : file;
        List<InputRecords.Rec> records;
        try {
            records = InputRecords.read(
                    content,
                    InputRecords.resolve(
                            f, stdin ? null : Path.of(file).getFileName().toString()),
                    keyField,
                    source);
        } catch (InputRecords.BadInput e) {
            System.err.println("error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        EnricherConfig c = config.load();
        String target = topic != null ? topic : c.get(ConfigKeys.TOPIC_INPUT);
        send(c, target, records);
        System.err.printf("produced %d records to %s%n", records.size(), target);
        return 0;
    }

    private void send(EnricherConfig c, String target, List<InputRecords.Rec> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.get(ConfigKeys.BOOTSTRAP_SERVERS));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(c.kafkaOverrides());
        // A progress bar only where it helps: long jobs, on a terminal.
        ProgressBar bar = new ProgressBar(
                System.err, "produce", !noProgress && records.size() >= 1000 && System.console() != null);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> pending = new ArrayList<>();
            long done = 0;
            for (InputRecords.Rec r : records) {
                pending.add(producer.send(new ProducerRecord<>(target, r.key(), r.value())));
                if (pending.size() >= 1000) {
                    done += await(pending);
                    bar.update(done, records.size());
                }
            }
            producer.flush();
            done += await(pending);
            bar.update(done, records.size());
        }
    }

    /** Waits for the sends in flight; the first failure is the command's failure (exit 1). */
    private static int await(List<Future<RecordMetadata>> pending) throws Exception {
        int n = pending.size();
        for (Future<RecordMetadata> f : pending) {
            f.get();
        }
        pending.clear();
        return n;
    }
}
