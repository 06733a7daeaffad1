package dev.agentledger.server.http;

import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.server.log.InvalidRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

/**
 * The issuer's public routes: {@code GET /api/v1/bundle}, the SPIFFE trust bundle (JWKS with
 * {@code spiffe_sequence} and {@code spiffe_refresh_hint}), {@code GET /api/v1/token-keys}, the
 * keys that sign delegation and capability tokens, and {@code POST /api/v1/join}, where a
 * freshly spawned agent instance redeems its one-time join token and a CSR for its first
 * X509-SVID (it has no client certificate yet, so this cannot be on the mTLS listener).
 *
 * <p>Join request (JSON, at most {@value #MAX_JOIN_BYTES} bytes): {@code join_token},
 * {@code csr} (standard base64 of the DER PKCS#10 request), optional {@code ttl_seconds}. Answer:
 * {@code spiffe_id}, {@code certificate_chain} and {@code trust_bundle} (base64 DER, leaf first),
 * {@code proof} ({@code index}, {@code leaf_hash}, {@code checkpoint}, {@code inclusion_proof}).
 */
final class IssuerHttpService implements HttpService {
    /** The largest join request body. */
    static final int MAX_JOIN_BYTES = 16 * 1024;

    private final Issuer issuer;
    private final Registrations registrations;

    IssuerHttpService(Issuer issuer, Registrations registrations) {
        this.issuer = issuer;
        this.registrations = registrations;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/bundle", this::bundle)
                .get("/token-keys", this::tokenKeys)
                .post("/join", this::join);
    }

    private void bundle(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(issuer.trustBundle().json());
    }

    /** The public keys that sign delegation and capability tokens (a JWK set, {@code use} {@code sig}). */
    private void tokenKeys(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(issuer.accessTokenKeys().json());
    }

    private void join(ServerRequest req, ServerResponse res) throws Exception {
        JsonObject body = readJson(req);
        String token;
        byte[] csr;
        long ttlSeconds;
        try {
            token = body.stringValue("join_token", "");
            csr = Base64.getDecoder().decode(body.stringValue("csr", ""));
            ttlSeconds = body.longValue("ttl_seconds", Issuer.MAX_X509_SVID_TTL.toSeconds());
        } catch (RuntimeException e) {
            throw new InvalidRequestException("want {\"join_token\": string, \"csr\": base64 DER PKCS#10, \"ttl_seconds\": number}: "
                    + e.getMessage());
        }
        LoggedCredential<X509Certificate> logged = registrations.redeem(token, csr, Duration.ofSeconds(ttlSeconds));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(SvidAnswer.of(issuer, logged).toString());
    }

    private static JsonObject readJson(ServerRequest req) throws InvalidRequestException, IOException {
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_JOIN_BYTES + 1);
        }
        if (bytes.length > MAX_JOIN_BYTES) {
            throw new InvalidRequestException("request body is larger than " + MAX_JOIN_BYTES + " bytes");
        }
        try {
            return JsonParser.create(new String(bytes, StandardCharsets.UTF_8)).readJsonObject();
        } catch (JsonException | IllegalStateException e) {
            throw new InvalidRequestException("request body is not a JSON object: " + e.getMessage());
        }
    }
}
