package io.streamnlp.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text), {@code /health} (liveness) and {@code /ready} (readiness) on the
 * JDK's own HTTP server: no web framework for three endpoints.
 */
public final class HttpEndpoints implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoints(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code port} (0: any free one) on all interfaces and starts serving. */
    public static HttpEndpoints start(int port, PrometheusMeterRegistry registry, Supplier<HealthState> health) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "streamnlp-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, 200, PROMETHEUS_TEXT, registry.scrape()));
        server.createContext("/health", ex -> {
            HealthState s = health.get();
            respond(ex, s.live() ? 200 : 503, "text/plain; charset=utf-8", s.describe() + "\n");
        });
        server.createContext("/ready", ex -> {
            HealthState s = health.get();
            respond(ex, s.ready() ? 200 : 503, "text/plain; charset=utf-8", s.describe() + "\n");
        });
        server.start();
        return new HttpEndpoints(server, executor);
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            }
        }
    }

    /** The bound port (the real one when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
