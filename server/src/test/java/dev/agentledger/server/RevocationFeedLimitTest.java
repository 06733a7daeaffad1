package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.revocation.RevocationFeedHttpService;
import io.helidon.webserver.WebServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public, unauthenticated SSE feed holds a bounded number of streams; one more is told to come back later. */
class RevocationFeedLimitTest {
    @Test
    void streamsBeyondTheLimitAreRefusedWith503(@TempDir Path dir) throws Exception {
        try (RunningServer server = RunningServer.start(dir)) {
            WebServer limited = WebServer.builder().shutdownHook(false).host("127.0.0.1").port(0)
                    .routing(r -> r.register("/api/v1", new RevocationFeedHttpService(server.server.revocations(), 1)))
                    .build().start();
            try {
                URI events = URI.create("http://127.0.0.1:" + limited.port() + "/api/v1/revocations/events");
                HttpResponse<InputStream> first = server.http.send(HttpRequest.newBuilder(events).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, first.statusCode());
                HttpResponse<String> second = server.http.send(HttpRequest.newBuilder(events).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, second.statusCode(), second.body());
                assertTrue(second.body().contains("retry later"), second.body());
                assertEquals("5", second.headers().firstValue("retry-after").orElse(""));
                first.body().close();
            } finally {
                limited.stop();
            }
        }
    }
}
