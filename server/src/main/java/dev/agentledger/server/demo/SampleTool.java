package dev.agentledger.server.demo;

import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.guard.Admission;
import dev.agentledger.verifierclient.guard.HelidonToolGuard;
import dev.agentledger.verifierclient.guard.LogProof;
import dev.agentledger.verifierclient.guard.ToolGuard;
import dev.agentledger.verifierclient.replay.ConsumedTokens;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import dev.agentledger.verifierclient.revocation.RevocationCacheConfig;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * A sample tool as a third party would write it with Helidon: an invoicing service over mutual
 * TLS whose routes are each protected by one line with the verifier client's
 * {@link HelidonToolGuard}. It trusts the authority only through public material: the trust
 * bundle, the token signing keys, the log key and the revocation feed.
 */
final class SampleTool implements AutoCloseable {
    /** Reading invoices. */
    static final String READ = "invoices:read";
    /** Paying an invoice (a risky action). */
    static final String PAY = "payments:send";

    private final WebServer server;
    private final RevocationCache revocations;
    private final ConsumedTokens consumed;
    private final String audience;

    private SampleTool(WebServer server, RevocationCache revocations, ConsumedTokens consumed, String audience) {
        this.server = server;
        this.revocations = revocations;
        this.consumed = consumed;
        this.audience = audience;
    }

    /**
     * Starts the tool with its own SVID, checking callers against the authority at {@code authorityUrl}.
     *
     * @param audience the tool's SPIFFE ID (capability tokens name it as {@code aud} and resource)
     * @param state where it keeps the tokens it accepted (single use)
     */
    static SampleTool start(String audience, Credentials svid, String authorityUrl, String trustDomain, String issuerId,
            String origin, VerifierKey logKey, Path state) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        var current = dev.agentledger.verifierclient.svid.BundleSource.open(URI.create(authorityUrl + "/api/v1/bundle"), trustDomain,
                Duration.ofHours(1), InstantSource.system());
        SpiffeBundle bundle = current.get();
        TokenKeys keys = TokenKeys.parse(get(http, authorityUrl + "/api/v1/token-keys"));
        LogVerifier logVerifier = LogVerifier.create(origin, logKey, List.of(), 0);
        RevocationCache revocations = RevocationCache.create(logVerifier, RevocationCacheConfig.of(authorityUrl));
        revocations.start();
        ConsumedTokens consumed = ConsumedTokens.open(state, InstantSource.system());
        ToolGuard guard = new ToolGuard(audience, current, new TokenVerifier(keys, issuerId, InstantSource.system()),
                revocations, consumed, Optional.of(new LogProof(logVerifier, Optional.empty())), InstantSource.system());
        HelidonToolGuard protect = new HelidonToolGuard(guard);
        WebServer server = WebServer.builder()
                .shutdownHook(false)
                .host("127.0.0.1")
                .port(0)
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .tls(Tls.builder()
                        .privateKey(svid.key())
                        .privateKeyCertChain(svid.chain())
                        .trust(bundle.x509Authorities())
                        .clientAuth(TlsClientAuth.REQUIRED)
                        .build())
                .routing(routing -> routing
                        .get("/invoices/{id}", protect.protect(READ, audience, (req, res) -> res
                                .header(HeaderNames.CONTENT_TYPE, "application/json")
                                .send("{\"invoice\":\"" + req.path().pathParameters().get("id") + "\",\"amount\":\"120.00 EUR\","
                                        + "\"read_by\":\"" + caller(HelidonToolGuard.admission(req)) + "\"}")))
                        .post("/payments", protect.protect(PAY, audience, (req, res) -> res
                                .header(HeaderNames.CONTENT_TYPE, "application/json")
                                .send("{\"paid\":true,\"by\":\"" + caller(HelidonToolGuard.admission(req)) + "\"}"))))
                .build()
                .start();
        return new SampleTool(server, revocations, consumed, audience);
    }

    /** Waits until the revocation feed is heard from, so the first calls are not refused as stale. */
    void awaitFeed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(revocations.check(dev.agentledger.verifierclient.revocation.CredentialIds.none())
                instanceof dev.agentledger.verifierclient.revocation.RevocationStatus.NotRevoked)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the tool never heard the revocation feed: " + revocations.lastError());
            }
            Thread.sleep(20);
        }
    }

    private static String caller(Admission admission) {
        return admission.caller().spiffeId().value();
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The tool's base URL. */
    String url() {
        return "https://localhost:" + server.port();
    }

    /** The tool's SPIFFE ID. */
    String audience() {
        return audience;
    }

    /** The tool's address. */
    HostPort address() {
        return new HostPort("127.0.0.1", server.port());
    }

    /** The tool's revocation cache, for measuring propagation. */
    RevocationCache revocations() {
        return revocations;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        revocations.close();
        consumed.close();
    }
}
