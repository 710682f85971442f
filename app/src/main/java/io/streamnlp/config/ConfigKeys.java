package io.streamnlp.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key the processor reads, with its default and meaning: the one place that
 * documents them (config/streamnlp.properties mirrors this list; a test keeps the two in step).
 * Keys under {@code kafka.} are handed to the Kafka clients and Kafka Streams as they are.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static final String KAFKA_PREFIX = "kafka.";

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String TOPIC_INPUT = "topic.input";
    public static final String TOPIC_ENTITIES = "topic.entities";
    public static final String TOPIC_TOPICS = "topic.topics";
    public static final String TOPIC_DLQ = "topic.dlq";
    public static final String INPUT_FORMAT = "input.format";
    public static final String INPUT_MAX_BYTES = "input.max.bytes";
    public static final String INPUT_TEXT_FIELD = "input.text.field";
    public static final String INPUT_ID_FIELD = "input.id.field";
    public static final String OUTPUT_INCLUDE_TEXT = "output.include.text";
    public static final String NER_ENABLED = "ner.enabled";
    public static final String NER_MODEL = "ner.model";
    public static final String NER_AGGREGATION = "ner.aggregation";
    public static final String TOPIC_ENABLED = "topic.enabled";
    public static final String TOPIC_MODEL = "topic.model";
    public static final String INFERENCE_DEVICE = "inference.device";
    public static final String INFERENCE_PRECISION = "inference.precision";
    public static final String INFERENCE_INTRA_OP_THREADS = "inference.intra.op.threads";
    public static final String INFERENCE_INTER_OP_THREADS = "inference.inter.op.threads";
    public static final String INFERENCE_MAX_BUCKET_ROWS = "inference.max.bucket.rows";
    public static final String INFERENCE_SESSIONS = "inference.sessions";
    public static final String INFERENCE_OVERLAP = "inference.overlap";
    public static final String BATCH_MAX_RECORDS = "batch.max.records";
    public static final String BATCH_MAX_TOKENS = "batch.max.tokens";
    public static final String BATCH_MAX_WAIT_MS = "batch.max.wait.ms";
    public static final String BATCH_IDLE_MS = "batch.idle.ms";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String STATIC_MEMBERSHIP = "static.membership";
    public static final String TRANSACTION_TIMEOUT_MS = "transaction.timeout.ms";
    public static final String METRICS_ENABLED = "metrics.enabled";
    public static final String METRICS_PORT = "metrics.port";
    public static final String STARTUP_TIMEOUT_MS = "startup.timeout.ms";
    public static final String STARTUP_BATCH_CHECK = "startup.batch.check";

    /** key → {default, meaning}; insertion order is the documented order. */
    public static final Map<String, String[]> DEFINITIONS = new LinkedHashMap<>();

    static {
        def(APPLICATION_ID, "streamnlp", "Kafka Streams application.id: consumer group, transactional id and state prefix.");
        def(BOOTSTRAP_SERVERS, "localhost:9092", "Kafka brokers to connect to.");
        def(TOPIC_INPUT, "text.input", "Topic the text records are read from: one topic name (not a list or pattern). The four topic.* names must all differ: an output equal to the input would loop.");
        def(TOPIC_ENTITIES, "text.entities", "Topic the entity-annotated events are written to.");
        def(TOPIC_TOPICS, "text.topics", "Topic the topic-classified events are written to.");
        def(TOPIC_DLQ, "text.dlq", "Dead-letter topic: original bytes of every record that could not be enriched, reason in headers.");
        def(INPUT_FORMAT, "auto", "auto | json | text. auto: a value starting with '{' is JSON, anything else plain UTF-8 text.");
        def(INPUT_MAX_BYTES, "262144", "Records whose value is larger than this many bytes go to the DLQ (reason TOO_LARGE); 1 to 67108864 (64 MiB). A record is enriched inside one transaction: raise transaction.timeout.ms with it (the start-up check says when).");
        def(INPUT_TEXT_FIELD, "text", "JSON field holding the text.");
        def(INPUT_ID_FIELD, "id", "JSON field holding the document id (else the record key, else topic-partition-offset).");
        def(OUTPUT_INCLUDE_TEXT, "true", "Copy the input text into the output events (field \"text\").");
        def(NER_ENABLED, "true", "Emit entity events to topic.entities.");
        def(NER_MODEL, "model-store/minilm-l6-conll03-agnews", "Model bundle folder serving NER.");
        def(NER_AGGREGATION, "", "first | average | max: how a word's sub-tokens decide its label (empty: the bundle's, else first).");
        def(TOPIC_ENABLED, "true", "Emit topic events to topic.topics.");
        def(TOPIC_MODEL, "model-store/minilm-l6-conll03-agnews", "Model bundle folder serving topic classification (the same folder as ner.model: one forward pass serves both).");
        def(INFERENCE_DEVICE, "auto", "cpu | cuda | auto. auto uses CUDA when it works and falls back to CPU with one log line; cuda fails at start-up when unavailable.");
        def(INFERENCE_PRECISION, "auto", "auto | fp32 | int8: which compute the model bundles run with. int8 serves a bundle's int8-compute sibling (the folder named as ner.model / topic.model plus -int8, made by model-store/tools/quantize_int8.py; it must exist). auto: the int8 sibling on CPU when there is one (about 1.5x to 2x faster on CPUs with VNNI, within 0.3 F1), the bundle as given on CUDA. fp32: the bundle as given.");
        def(INFERENCE_INTRA_OP_THREADS, "0", "ONNX Runtime intra-op threads per session (0: auto, cores / inference.sessions on CPU; ONNX Runtime's default with one session).");
        def(INFERENCE_INTER_OP_THREADS, "1", "ONNX Runtime inter-op threads per session.");
        def(INFERENCE_SESSIONS, "0", "Inference lanes: parallel ONNX Runtime sessions per model. With a backlog each batch runs on one lane, several side by side; otherwise a batch's length buckets are split over the free lanes (0: auto, min(cores, 4) on CPU, 1 on CUDA).");
        def(INFERENCE_OVERLAP, "true", "Run batches on inference threads (one per lane) while the stream thread goes on polling, buffering and committing; false runs each batch on the stream thread, over every lane.");
        def(INFERENCE_MAX_BUCKET_ROWS, "64", "Most sequences in one session run (one length bucket); rows x the model's max length must fit the 2 GiB tensor buffers (checked at start-up).");
        def(BATCH_MAX_RECORDS, "32", "Flush a batch when it holds this many records (1 to 2097152, what the engine packs into one batch).");
        def(BATCH_MAX_TOKENS, "8192", "Flush a batch when its records hold this many tokens (the token budget).");
        def(BATCH_MAX_WAIT_MS, "50", "Flush a batch when its oldest record has waited this long (wall clock; 0 to 86400000).");
        def(BATCH_IDLE_MS, "10", "Flush early when no record has arrived for this long: an idle stream does not wait out batch.max.wait.ms (0 disables).");
        def(PROCESSING_GUARANTEE, "exactly_once_v2", "Kafka Streams processing.guarantee: exactly_once_v2 or at_least_once.");
        def(COMMIT_INTERVAL_MS, "100", "Kafka Streams commit.interval.ms (one transaction per commit under exactly_once_v2).");
        def(NUM_STREAM_THREADS, "1", "Kafka Streams stream threads (each runs its own batches).");
        def(STATE_DIR, "", "Kafka Streams state.dir (empty: a folder under java.io.tmpdir). Keep it across restarts (a volume in a container): it holds the instance's identity, which lets a restarted instance fence its crashed predecessor's transaction and take its partitions back at once.");
        def(STATIC_MEMBERSHIP, "true", "Join the consumer group as a static member (group.instance.id = application.id + an id kept in state.dir, unless kafka.group.instance.id is given): an instance restarted after a crash takes its partitions back without waiting out the session timeout. A clean stop leaves the group, so its partitions move at once.");
        def(TRANSACTION_TIMEOUT_MS, "15000", "Producer transaction.timeout.ms under exactly_once_v2. A batch gets at most a quarter of it (the start-up check lowers batch.max.tokens to what this device does in that time, and long documents are inferred in segments over several transactions), and a crashed instance's open transaction blocks read_committed readers until it expires: keep it short (kafka.transaction.timeout.ms or kafka.producer.transaction.timeout.ms, when given, win).");
        def(METRICS_ENABLED, "true", "Serve /metrics (Prometheus), /health (liveness) and /ready (readiness) over HTTP while running.");
        def(METRICS_PORT, "9400", "Port of the metrics and health endpoints (0: any free port).");
        def(STARTUP_TIMEOUT_MS, "30000", "At start-up, fail (naming bootstrap.servers) when the Kafka cluster cannot be reached within this many ms.");
        def(STARTUP_BATCH_CHECK, "fail", "fail | warn | off. At start-up, time a warm-up batch and estimate the worst-case batch (batch.max.tokens tokens, and one input.max.bytes record at 2.1 tokens a byte, the worst case of any text); fail (or warn) when it could exceed half of the effective transaction.timeout.ms or max.poll.interval.ms (kafka.* overrides included).");
    }

    private static void def(String key, String defaultValue, String meaning) {
        DEFINITIONS.put(key, new String[] {defaultValue, meaning});
    }
}
