package dev.agentledger.server.issuance;

import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.LoggedCredential;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.http.SvidAnswer;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;

/**
 * {@code POST /api/v1/svids/x509} on the private (mTLS) listener: a registered agent instance
 * renews its X509-SVID, authenticated by its current one (or its orchestrator asks on its
 * behalf), the HTTP twin of gRPC {@code IssuerService.IssueX509Svid}. Request JSON: {@code csr}
 * (standard base64 DER PKCS#10), optional {@code spiffe_id} (default: the caller's) and
 * {@code ttl_seconds}. The answer is {@link SvidAnswer}'s; refusals map as {@link JsonAnswers} says.
 */
public final class SvidRenewalHttpService implements HttpService {
    private static final int MAX_BODY_BYTES = 16 * 1024;

    private final Issuer issuer;
    private final Registrations registrations;

    /** Renewals issued by {@code issuer} under {@code registrations}' rules. */
    public SvidRenewalHttpService(Issuer issuer, Registrations registrations) {
        this.issuer = issuer;
        this.registrations = registrations;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/svids/x509", this::issue);
    }

    private void issue(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            SpiffeId caller = CallerIdentity.of(req.remotePeer().tlsCertificates());
            byte[] bytes;
            try (InputStream in = req.content().inputStream()) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            }
            if (bytes.length > MAX_BODY_BYTES) {
                throw new JsonAnswers.BadRequest("request body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            JsonObject body = JsonParser.create(new String(bytes, StandardCharsets.UTF_8)).readJsonObject();
            SpiffeId id = body.stringValue("spiffe_id").map(SpiffeId::parse).orElse(caller);
            byte[] csr = Base64.getDecoder().decode(body.stringValue("csr", ""));
            Duration ttl = Duration.ofSeconds(body.longValue("ttl_seconds", Issuer.MAX_X509_SVID_TTL.toSeconds()));
            LoggedCredential<X509Certificate> logged = registrations.issueX509Svid(caller, id, csr, ttl);
            return SvidAnswer.of(issuer, logged);
        });
    }
}
