package io.streamnlp.config;

import static io.streamnlp.config.ConfigDef.Importance.HIGH;
import static io.streamnlp.config.ConfigDef.Importance.LOW;
import static io.streamnlp.config.ConfigDef.Importance.MEDIUM;
import static io.streamnlp.config.ConfigDef.Type.BOOLEAN;
import static io.streamnlp.config.ConfigDef.Type.INT;
import static io.streamnlp.config.ConfigDef.Type.LONG;
import static io.streamnlp.config.ConfigDef.Type.PATH;
import static io.streamnlp.config.ConfigDef.Type.STRING;
import static io.streamnlp.config.ConfigDef.atLeast;
import static io.streamnlp.config.ConfigDef.between;
import static io.streamnlp.config.ConfigDef.oneOf;
import static io.streamnlp.config.ConfigDef.oneOfOrEmpty;

import java.util.Map;

/**
 * Every configuration key the processor reads, with its type, default, allowed values and meaning: the one
 * place that defines and validates them ({@link EnricherConfig.Builder#build} checks every value against
 * {@link #DEFINITIONS}; config/streamnlp.properties is generated from it, a test keeps the two in step).
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
    public static final String OUTPUT_MAX_RECORD_BYTES = "output.max.record.bytes";
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

    /**
     * Most records in one batch: what the inference engine packs into one batch (OnnxEnrichmentEngine.MAX_BATCH_DOCUMENTS,
     * 21 bits of a packed long; this package cannot see the engine, a test keeps the two equal).
     */
    public static final int MAX_BATCH_RECORDS = 1 << 21;

    /** Longest batch.max.wait.ms / batch.idle.ms: a day. Longer is a typo, and nothing waits that long in a transaction. */
    public static final long MAX_WAIT_MS = 86_400_000L;

    /** Every key in the documented order (the order of config/streamnlp.properties). */
    public static final ConfigDef DEFINITIONS = new ConfigDef()
            .define(
                    APPLICATION_ID,
                    STRING,
                    "streamnlp",
                    ConfigDef.nonEmpty("the Kafka Streams application id"),
                    HIGH,
                    "Kafka Streams application.id: consumer group, transactional id and state prefix.")
            .define(
                    BOOTSTRAP_SERVERS,
                    STRING,
                    "localhost:9092",
                    ConfigDef.nonEmpty("the Kafka brokers (host:port, ...)"),
                    HIGH,
                    "Kafka brokers to connect to.")
            .define(
                    TOPIC_INPUT,
                    STRING,
                    "text.input",
                    Topics.NAME,
                    HIGH,
                    "Topic the text records are read from: one topic name (not a list or pattern). The four topic.* names must all differ: an output equal to the input would loop.")
            .define(
                    TOPIC_ENTITIES,
                    STRING,
                    "text.entities",
                    Topics.NAME,
                    HIGH,
                    "Topic the entity-annotated events are written to.")
            .define(
                    TOPIC_TOPICS,
                    STRING,
                    "text.topics",
                    Topics.NAME,
                    HIGH,
                    "Topic the topic-classified events are written to.")
            .define(
                    TOPIC_DLQ,
                    STRING,
                    "text.dlq",
                    Topics.NAME,
                    HIGH,
                    "Dead-letter topic: original bytes of every record that could not be enriched, reason in headers.")
            .define(
                    INPUT_FORMAT,
                    STRING,
                    "auto",
                    oneOf("auto", "json", "text"),
                    MEDIUM,
                    "How record values are read. auto: a value starting with '{' is JSON, anything else plain UTF-8 text.")
            .define(
                    INPUT_MAX_BYTES,
                    INT,
                    "262144",
                    between(1, InputOptions.MAX_INPUT_BYTES, "64 MiB at most"),
                    MEDIUM,
                    "Records whose value is larger than this many bytes go to the DLQ (reason TOO_LARGE). A record is enriched inside one transaction: raise transaction.timeout.ms with it (the start-up check says when).")
            .define(INPUT_TEXT_FIELD, STRING, "text", MEDIUM, "JSON field holding the text.")
            .define(
                    INPUT_ID_FIELD,
                    STRING,
                    "id",
                    MEDIUM,
                    "JSON field holding the document id (else the record key, else topic-partition-offset).")
            .define(
                    OUTPUT_INCLUDE_TEXT,
                    BOOLEAN,
                    "true",
                    LOW,
                    "Copy the input text into the output events (field \"text\").")
            .define(
                    OUTPUT_MAX_RECORD_BYTES,
                    INT,
                    "1048576",
                    atLeast(4096),
                    MEDIUM,
                    "Largest output record (key, value, headers) assumed to fit the output topics when their own limits cannot be read: always in the embedded API (StreamNlp), and in run when the cluster denies DescribeConfigs on the output topics (one WARN line says so). An event that does not fit is dead-lettered (OUTPUT_TOO_LARGE) instead of failing the producer. When run can read them, the smaller of the topics' max.message.bytes and the producer's max.request.size is used instead. 1048576 is the broker's default; raise it to what your output topics accept.")
            .define(NER_ENABLED, BOOLEAN, "true", HIGH, "Emit entity events to topic.entities.")
            .define(
                    NER_MODEL,
                    PATH,
                    "model-store/minilm-l6-conll03-agnews",
                    HIGH,
                    "Model bundle folder serving NER (needed when ner.enabled).")
            .define(
                    NER_AGGREGATION,
                    STRING,
                    "",
                    oneOfOrEmpty("the bundle's, else first", "first", "average", "max"),
                    LOW,
                    "How a word's sub-tokens decide its label.")
            .define(TOPIC_ENABLED, BOOLEAN, "true", HIGH, "Emit topic events to topic.topics.")
            .define(
                    TOPIC_MODEL,
                    PATH,
                    "model-store/minilm-l6-conll03-agnews",
                    HIGH,
                    "Model bundle folder serving topic classification (needed when topic.enabled; the same folder as ner.model: one forward pass serves both).")
            .define(
                    INFERENCE_DEVICE,
                    STRING,
                    "auto",
                    oneOf("cpu", "cuda", "auto"),
                    MEDIUM,
                    "Where inference runs. auto uses CUDA when it works and falls back to CPU with one log line; cuda fails at start-up when unavailable.")
            .define(
                    INFERENCE_PRECISION,
                    STRING,
                    "auto",
                    oneOf("auto", "fp32", "int8"),
                    MEDIUM,
                    "Which compute the model bundles run with. int8 serves a bundle's int8-compute sibling (the folder named as ner.model / topic.model plus -int8, made by model-store/tools/quantize_int8.py; it must exist). auto: the int8 sibling on CPU when there is one of the same version (faster on CPUs with VNNI, within 0.3 F1), the bundle as given on CUDA. fp32: the bundle as given.")
            .define(
                    INFERENCE_INTRA_OP_THREADS,
                    INT,
                    "0",
                    atLeast(0),
                    LOW,
                    "ONNX Runtime intra-op threads per session (0: auto, cores / inference.sessions on CPU; ONNX Runtime's default with one session).")
            .define(
                    INFERENCE_INTER_OP_THREADS,
                    INT,
                    "1",
                    atLeast(0),
                    LOW,
                    "ONNX Runtime inter-op threads per session (0: ONNX Runtime's default).")
            .define(
                    INFERENCE_SESSIONS,
                    INT,
                    "0",
                    atLeast(0),
                    MEDIUM,
                    "Inference lanes: parallel ONNX Runtime sessions per model. With a backlog each batch runs on one lane, several side by side; otherwise a batch's length buckets are split over as many free lanes as give each at least 8 sequences, so a small batch takes one lane and leaves the others to the next (0: auto, min(cores, 4) on CPU, 1 on CUDA).")
            .define(
                    INFERENCE_OVERLAP,
                    BOOLEAN,
                    "true",
                    LOW,
                    "Run batches on inference threads (one per lane) while the stream thread goes on polling, buffering and committing; false runs each batch on the stream thread, over every lane.")
            .define(
                    INFERENCE_MAX_BUCKET_ROWS,
                    INT,
                    "64",
                    atLeast(1),
                    LOW,
                    "Most sequences in one session run (one length bucket); rows x the model's max length must fit the 2 GiB tensor buffers (checked at start-up).")
            .define(
                    BATCH_MAX_RECORDS,
                    INT,
                    "128",
                    between(
                            1,
                            MAX_BATCH_RECORDS,
                            "the inference engine packs at most " + MAX_BATCH_RECORDS + " documents into one batch"),
                    MEDIUM,
                    "Flush a batch when it holds this many records (sentence-sized records run faster in large batches: more rows share each length bucket; long ones reach batch.max.tokens first).")
            .define(
                    BATCH_MAX_TOKENS,
                    INT,
                    "8192",
                    atLeast(1),
                    MEDIUM,
                    "Flush a batch when its records hold this many tokens (the token budget).")
            .define(
                    BATCH_MAX_WAIT_MS,
                    LONG,
                    "50",
                    between(0, MAX_WAIT_MS, "a day at most"),
                    MEDIUM,
                    "Flush a batch when its oldest record has waited this long (wall clock).")
            .define(
                    BATCH_IDLE_MS,
                    LONG,
                    "10",
                    between(0, MAX_WAIT_MS, "0 disables; a day at most"),
                    LOW,
                    "Flush early when no record has arrived for this long: an idle stream does not wait out batch.max.wait.ms (0 disables).")
            .define(
                    PROCESSING_GUARANTEE,
                    STRING,
                    "exactly_once_v2",
                    oneOf("exactly_once_v2", "at_least_once"),
                    HIGH,
                    "Kafka Streams processing.guarantee.")
            .define(
                    COMMIT_INTERVAL_MS,
                    LONG,
                    "100",
                    between(0, Long.MAX_VALUE, null),
                    MEDIUM,
                    "Kafka Streams commit.interval.ms (one transaction per commit under exactly_once_v2).")
            .define(
                    NUM_STREAM_THREADS,
                    INT,
                    "1",
                    atLeast(1),
                    MEDIUM,
                    "Kafka Streams stream threads (each runs its own batches).")
            .define(
                    STATE_DIR,
                    PATH,
                    "",
                    HIGH,
                    "Kafka Streams state.dir (empty: a folder under java.io.tmpdir). Keep it across restarts (a volume in a container): it holds the instance's identity, which lets a restarted instance fence its crashed predecessor's transaction and take its partitions back at once.")
            .define(
                    STATIC_MEMBERSHIP,
                    BOOLEAN,
                    "true",
                    LOW,
                    "Join the consumer group as a static member (group.instance.id = application.id + an id kept in state.dir, unless kafka.group.instance.id is given): an instance restarted after a crash takes its partitions back without waiting out the session timeout. A clean stop leaves the group, so its partitions move at once.")
            .define(
                    TRANSACTION_TIMEOUT_MS,
                    INT,
                    "15000",
                    atLeast(1),
                    MEDIUM,
                    "Producer transaction.timeout.ms under exactly_once_v2. A batch gets at most a quarter of it (the start-up check lowers batch.max.tokens to what this device does in that time, and long documents are inferred in segments over several transactions), and a crashed instance's open transaction blocks read_committed readers until it expires: keep it short (kafka.transaction.timeout.ms or kafka.producer.transaction.timeout.ms, when given, win).")
            .define(
                    METRICS_ENABLED,
                    BOOLEAN,
                    "true",
                    MEDIUM,
                    "Serve /metrics (Prometheus), /health (liveness) and /ready (readiness) over HTTP while running.")
            .define(
                    METRICS_PORT,
                    INT,
                    "9400",
                    between(0, 65535, "a TCP port"),
                    MEDIUM,
                    "Port of the metrics and health endpoints (0: any free port).")
            .define(
                    STARTUP_TIMEOUT_MS,
                    INT,
                    "30000",
                    atLeast(1),
                    LOW,
                    "At start-up, fail (naming bootstrap.servers) when the Kafka cluster cannot be reached within this many ms.")
            .define(
                    STARTUP_BATCH_CHECK,
                    STRING,
                    "fail",
                    oneOf("fail", "warn", "off"),
                    LOW,
                    "At start-up, time a warm-up batch and estimate the worst-case batch (batch.max.tokens tokens, and one input.max.bytes record at 2.1 tokens a byte, the worst case of any text); fail (or warn) when it could exceed half of the effective transaction.timeout.ms or max.poll.interval.ms (kafka.* overrides included).")
            // what no single key can say
            .crossCheck(
                    v -> !(Boolean) v.get(NER_ENABLED) && !(Boolean) v.get(TOPIC_ENABLED)
                            ? NER_ENABLED + " and " + TOPIC_ENABLED + " are both false: nothing to do"
                            : null,
                    NER_ENABLED,
                    TOPIC_ENABLED)
            .crossCheck(v -> modelSet(v, NER_ENABLED, NER_MODEL), NER_ENABLED, NER_MODEL)
            .crossCheck(v -> modelSet(v, TOPIC_ENABLED, TOPIC_MODEL), TOPIC_ENABLED, TOPIC_MODEL)
            .crossCheck(Topics::distinct, TOPIC_INPUT, TOPIC_ENTITIES, TOPIC_TOPICS, TOPIC_DLQ);

    /**
     * config/streamnlp.properties as it must be: a header, every key's doc, type and default from {@link #DEFINITIONS},
     * then commented-out pass-through examples. EnricherConfigTest fails when the shipped file differs (and rewrites it
     * with -Dconfig.regenerate=true).
     */
    public static String propertiesFile() {
        return """
                # streamnlp configuration: every key, its default and meaning (generated from io.streamnlp.config.ConfigKeys).
                # Precedence: this file < environment variables (STREAMNLP_<KEY>, dots as underscores, e.g.
                # STREAMNLP_BOOTSTRAP_SERVERS) < command-line --set key=value. Unknown keys are an error, and so is every
                # value outside what its Type line allows: all of them are reported at once.
                # Kafka client / Kafka Streams settings pass through under 'kafka.' (see the end of this file).
                """ + DEFINITIONS.toProperties() + """

                # --- Kafka client settings, passed through as they are (examples, commented out) ---
                # kafka.security.protocol=SASL_SSL
                # kafka.sasl.mechanism=PLAIN
                # kafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="secret";
                # kafka.ssl.truststore.location=/etc/kafka/truststore.jks
                # kafka.ssl.truststore.password=changeit
                """;
    }

    /** An enabled task (NER or topic) needs its bundle folder. */
    private static String modelSet(Map<String, Object> v, String enabledKey, String modelKey) {
        return (Boolean) v.get(enabledKey) && ((String) v.get(modelKey)).isEmpty()
                ? modelKey + " is empty: set the model bundle folder"
                : null;
    }
}
