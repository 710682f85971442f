# CPU image: multi-stage Maven build, JRE runtime, non-root user, model bundles baked in (mount over
# /app/model-store to use others).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY app/pom.xml app/
COPY integration-tests/pom.xml integration-tests/
RUN mvn -q -B -pl app -am dependency:go-offline || true
COPY app app
RUN mvn -q -B -pl app -am -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home /app streamnlp
WORKDIR /app
COPY --from=build /src/app/target/streamnlp.jar /app/streamnlp.jar
COPY model-store /app/model-store
COPY config /app/config
ENV DJL_OFFLINE=true OPT_OUT_TRACKING=true
USER streamnlp
ENTRYPOINT ["java", "-Xss8m", "-jar", "/app/streamnlp.jar"]
CMD ["run", "--create-topics"]
