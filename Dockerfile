# CPU image: multi-stage Maven build, JRE runtime, non-root user. Model bundles are baked in from
# model-store/ (whatever bundles exist at build time); mount a folder over /app/model-store to serve others.
#   docker build -t streamnlp:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first: the dependency layer is rebuilt only when a pom changes.
COPY pom.xml ./
COPY app/pom.xml app/
COPY app/core/pom.xml app/core/
COPY app/server/pom.xml app/server/
COPY integration-tests/pom.xml integration-tests/
COPY integration-tests/library/pom.xml integration-tests/library/
RUN mvn -q -B -pl app/server -am dependency:go-offline || true
COPY app app
RUN mvn -q -B -pl app/server -am -DskipTests package

FROM eclipse-temurin:17-jre
# The base image ships curl (the health checks ask /health and /ready), so nothing is installed: a build needs no
# package archive. uid 10001 is a regular (not --system) uid: useradd warns about a system uid above SYS_UID_MAX.
RUN useradd --uid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin streamnlp \
    && mkdir -p /var/lib/streamnlp && chown 10001 /var/lib/streamnlp
WORKDIR /app
COPY --from=build /src/app/server/target/streamnlp.jar /app/streamnlp.jar
COPY config /app/config
COPY model-store /app/model-store
ENV DJL_OFFLINE=true OPT_OUT_TRACKING=true STREAMNLP_STATE_DIR=/var/lib/streamnlp
# The JVM's flags, read by the entrypoint (a JVM tool-options variable would be announced by every JVM in the container).
# -Xss8m: ONNX Runtime's environment wants a deep native stack (onnxruntime 1.29 segfaults creating it on the
# default 1 MiB stack when the java command line is long; the engine also creates it on an 8 MiB thread).
# MaxRAMPercentage=50: half of the container's memory limit for the heap, half for native memory (ONNX Runtime,
# RocksDB). Override JAVA_OPTS as a whole (keep -Xss8m).
ENV JAVA_OPTS="-Xss8m -XX:MaxRAMPercentage=50"
# state.dir holds the instance's identity: on a volume, a restarted container fences its crashed self at once
VOLUME /var/lib/streamnlp
USER 10001
EXPOSE 9400
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s CMD curl -fsS http://localhost:9400/health || exit 1
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /app/streamnlp.jar \"$@\"", "streamnlp"]
CMD ["run"]
