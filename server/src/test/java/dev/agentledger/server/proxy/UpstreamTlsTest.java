package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Forwarding to {@code https} upstreams: a real TLS upstream whose certificate comes from a
 * private CA is reached when that CA is configured for it, and refused (nothing sent) when it is
 * not, or when the certificate names another host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamTlsTest {
    private static final Headers NO_HEADERS = WritableHeaders.create();
    private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
    private CertificateAuthority privateCa;
    private WebServer loopback;
    private WebServer elsewhere;

    @BeforeAll
    void start() throws Exception {
        privateCa = CertificateAuthority.create("upstream.test", InstantSource.system());
        SpiffeId id = SpiffeId.parse("spiffe://upstream.test/tool/billing");
        loopback = upstream(privateCa.issueServer(id));
        elsewhere = upstream(privateCa.issueServer(id, List.of("billing.upstream.test")));
    }

    private WebServer upstream(Credentials credentials) {
        return WebServer.builder().shutdownHook(false).host("127.0.0.1").port(0)
                .tls(Tls.builder().privateKey(credentials.key()).privateKeyCertChain(credentials.chain()).build())
                .routing(r -> r.any((req, res) -> {
                    received.add(req.path().rawPath() + " " + req.headers().first(HeaderNames.create("X-Api-Key")).orElse("-"));
                    res.send("{\"ok\":true}");
                }))
                .build().start();
    }

    @AfterAll
    void stop() {
        for (WebServer server : new WebServer[] {loopback, elsewhere}) {
            if (server != null) {
                server.stop();
            }
        }
    }

    @Test
    void anUpstreamSignedByItsConfiguredCaIsReachedOverTls() throws IOException {
        URI base = URI.create("https://localhost:" + loopback.port());
        Forwarding forwarding = new Forwarding(Map.of(base, List.of(privateCa.certificate())));
        try {
            received.clear();
            Forwarding.Answer answer = forwarding.forward(base, "GET", "/invoices/7", NO_HEADERS, new byte[0],
                    Optional.of(Map.entry("X-Api-Key", "k-1")), "spiffe://agentledger.local/agent/a");
            assertEquals(200, answer.status());
            assertEquals("{\"ok\":true}", new String(answer.body(), StandardCharsets.UTF_8));
            assertEquals(List.of("/invoices/7 k-1"), List.copyOf(received));
        } finally {
            forwarding.close();
        }
    }

    @Test
    void anUpstreamNotTrustedIsNotSentTheCallOrTheSecret() {
        URI base = URI.create("https://localhost:" + loopback.port());
        Forwarding forwarding = new Forwarding(Map.of());
        try {
            received.clear();
            assertThrows(IOException.class, () -> forwarding.forward(base, "GET", "/invoices/7", NO_HEADERS, new byte[0],
                    Optional.of(Map.entry("X-Api-Key", "k-1")), "spiffe://agentledger.local/agent/a"));
            assertTrue(received.isEmpty(), "the untrusted upstream got " + received);
        } finally {
            forwarding.close();
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedEvenFromTheConfiguredCa() {
        URI base = URI.create("https://localhost:" + elsewhere.port());
        Forwarding forwarding = new Forwarding(Map.of(base, List.of(privateCa.certificate())));
        try {
            received.clear();
            assertThrows(IOException.class, () -> forwarding.forward(base, "GET", "/invoices/7", NO_HEADERS, new byte[0],
                    Optional.of(Map.entry("X-Api-Key", "k-1")), "spiffe://agentledger.local/agent/a"));
            assertTrue(received.isEmpty(), "the upstream named for another host got " + received);
        } finally {
            forwarding.close();
        }
    }

    @Test
    void aCaCertificateIsRefusedForAPlainHttpUpstream() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ProxyConfig.Upstream(
                "spiffe://agentledger.local/tool/billing", "/billing", "http://127.0.0.1:9000", null,
                List.of(new ProxyConfig.Route("GET", "/invoices/{id}", "invoices:read", null, null)), null, null, null, "ca.pem"));
        assertTrue(refused.getMessage().contains("https"), refused.getMessage());
    }
}
