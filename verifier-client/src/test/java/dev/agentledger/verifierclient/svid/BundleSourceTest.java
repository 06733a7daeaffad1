package dev.agentledger.verifierclient.svid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BundleSourceTest {
    private final AtomicReference<String> served = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<Instant> now = new AtomicReference<>(TestAuthority.NOW);
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/bundle", exchange -> {
            byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bundle");
    }

    @Test
    void refreshesOnItsHintKeepsTheLastGoodOneAndFailsClosedWhenTooStale() throws Exception {
        TestAuthority first = new TestAuthority("agents.example");
        served.set(first.bundleJson().replace("\"spiffe_sequence\":7", "\"spiffe_sequence\":7"));
        BundleSource source = BundleSource.open(url(), "agents.example", Duration.ofMinutes(30), now::get);
        assertEquals(first.ca, source.get().x509Authorities().get(0));

        TestAuthority rotated = new TestAuthority("agents.example");
        served.set(rotated.bundleJson().replace("\"spiffe_sequence\":7", "\"spiffe_sequence\":8"));
        now.set(TestAuthority.NOW.plusSeconds(299));
        assertEquals(first.ca, source.get().x509Authorities().get(0), "not due before the 300 s hint");
        now.set(TestAuthority.NOW.plusSeconds(300));
        assertEquals(rotated.ca, source.get().x509Authorities().get(0), "fetched again once due");

        served.set(first.bundleJson());
        now.set(TestAuthority.NOW.plusSeconds(600));
        assertEquals(rotated.ca, source.get().x509Authorities().get(0), "a lower spiffe_sequence is a rollback, refused");
        assertTrue(source.lastError().contains("rollback"), source.lastError());

        status.set(500);
        now.set(TestAuthority.NOW.plusSeconds(1200));
        assertEquals(rotated.ca, source.get().x509Authorities().get(0), "the last good bundle while the endpoint fails");
        now.set(TestAuthority.NOW.plusSeconds(300 + 1801));
        IllegalStateException stale = assertThrows(IllegalStateException.class, source::get);
        assertTrue(stale.getMessage().contains("refusing to trust it"), stale.getMessage());
    }
}
