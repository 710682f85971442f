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
RUN mvn -q -B -pl app/server -am dependency:go-offline || true
COPY app app
RUN mvn -q -B -pl app/server -am -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre
# curl: the compose health check asks /ready.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin streamnlp \
    && mkdir -p /var/lib/streamnlp && chown 10001 /var/lib/streamnlp
WORKDIR /app
COPY --from=build /src/app/server/target/streamnlp.jar /app/streamnlp.jar
COPY config /app/config
COPY model-store /app/model-store
ENV DJL_OFFLINE=true OPT_OUT_TRACKING=true STREAMNLP_STATE_DIR=/var/lib/streamnlp
# state.dir holds the instance's identity: on a volume, a restarted container fences its crashed self at once
VOLUME /var/lib/streamnlp
USER 10001
EXPOSE 9400
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s CMD curl -fsS http://localhost:9400/health || exit 1
# -Xss8m: ONNX Runtime's environment wants a deep native stack (onnxruntime 1.29 segfaults creating it on the
# default 1 MiB stack when the java command line is long; the engine also creates it on an 8 MiB thread).
ENTRYPOINT ["java", "-Xss8m", "-jar", "/app/streamnlp.jar"]
CMD ["run"]
