package dev.agentledger.verifierclient.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.agentledger.verifierclient.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WebhookAlertsTest {
    final ByteArrayOutputStream failures = new ByteArrayOutputStream();
    final PrintStream failureStream = new PrintStream(failures, true, StandardCharsets.UTF_8);
    final Alert alert = new Alert(AlertKind.SPLIT_VIEW, -1, "two \"histories\"", List.of("note one\n", "note two\n"));

    @Test
    void postsTheAlertAsJson() throws Exception {
        BlockingQueue<String> bodies = new ArrayBlockingQueue<>(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            bodies.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            new WebhookAlerts("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", Duration.ofSeconds(5),
                    failureStream).send(alert);
            String got = bodies.poll(5, TimeUnit.SECONDS);
            assertTrue(got.startsWith("POST application/json {"), got);
            Map<?, ?> json = (Map<?, ?>) Json.parse(got.substring(got.indexOf('{')));
            assertEquals("split-view", json.get("kind"));
            assertEquals(-1L, json.get("index"));
            assertEquals("two \"histories\"", json.get("message"));
            assertEquals(List.of("note one\n", "note two\n"), json.get("evidence"));
            assertEquals("", failures.toString(StandardCharsets.UTF_8));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aDeadWebhookIsReportedAndDoesNotThrow() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        new WebhookAlerts("http://127.0.0.1:" + port + "/hook", Duration.ofSeconds(2), failureStream).send(alert);
        assertTrue(failures.toString(StandardCharsets.UTF_8).contains("webhook"), failures.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aSlowWebhookTimesOut() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        try {
            long start = System.nanoTime();
            new WebhookAlerts("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", Duration.ofMillis(300),
                    failureStream).send(alert);
            assertTrue(System.nanoTime() - start < 4_000_000_000L);
            assertTrue(failures.toString(StandardCharsets.UTF_8).contains("failed"), failures.toString(StandardCharsets.UTF_8));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void answersOtherThan2xxAreReported() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        try {
            new WebhookAlerts("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", Duration.ofSeconds(5),
                    failureStream).send(alert);
            assertTrue(failures.toString(StandardCharsets.UTF_8).contains("answered 500"), failures.toString(StandardCharsets.UTF_8));
        } finally {
            server.stop(0);
        }
    }
}
