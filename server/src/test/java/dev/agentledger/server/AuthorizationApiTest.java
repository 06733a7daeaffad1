package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delegation, token exchange and approvals end to end over the private listener: a user delegates
 * to an agent, the agent exchanges for capability tokens under the embedded default policy (a
 * payment waits for an approver), and a widening sub-delegation is refused.
 */
class AuthorizationApiTest {
    private static final String TD = "agentledger.local";
    private static final String TOOL = "spiffe://agentledger.local/tool/billing";

    @TempDir
    static Path dir;

    static RunningServer server;
    static Credentials alice;
    static Credentials approver;
    static Credentials agent;
    static Credentials otherAgent;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(dir);
        CertificateAuthority ca = dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(server.prepared.dir(),
                server.prepared.passphrase().value(), InstantSource.system());
        alice = ca.issueClient(SpiffeId.of(TD, "user/alice"));
        approver = ca.issueClient(SpiffeId.of(TD, "approver/bob"));
        agent = spawn("research");
        otherAgent = spawn("helper");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** An agent with an X509-SVID from the issuer (registered by the operator, issued on its behalf). */
    private static Credentials spawn(String name) throws Exception {
        try (LedgerClient operator = server.operatorClient()) {
            RegisterWorkloadResponse registered = operator.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                    .setAgentName(name).setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair key = generator.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
            var issued = operator.issuer().issueX509Svid(IssueX509SvidRequest.newBuilder()
                    .setSpiffeId(registered.getSpiffeId()).setCsr(ByteString.copyFrom(csr)).build());
            List<X509Certificate> chain = new ArrayList<>();
            for (ByteString der : issued.getCertificateChainList()) {
                chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der.toByteArray())));
            }
            return new Credentials(key.getPrivate(), chain);
        }
    }

    private static HttpResponse<String> post(Credentials as, String path, String contentType, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(server.prepared.caCertificate()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.server.privateAddress().port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(Credentials as, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(server.prepared.caCertificate()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.server.privateAddress().port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String delegation(Credentials as, String delegate, String scopes, Optional<String> chain) throws Exception {
        String body = "{\"delegate\":\"" + delegate + "\",\"scopes\":[" + scopes + "],\"resources\":[\"" + TOOL + "\"],"
                + "\"lifetime_seconds\":" + (chain.isPresent() ? 60 : 600) + ",\"max_depth\":" + (chain.isPresent() ? 0 : 1) + chain.map(c -> ",\"chain\":\"" + c + "\"").orElse("") + "}";
        HttpResponse<String> response = post(as, "/api/v1/delegations", "application/json", body);
        assertEquals(200, response.statusCode(), response.body());
        return JsonParser.create(response.body()).readJsonObject().stringValue("chain", "");
    }

    private static HttpResponse<String> exchange(Credentials as, String chain, String action, Map<String, String> extra) throws Exception {
        StringBuilder form = new StringBuilder("grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                + "&subject_token=" + enc(chain)
                + "&subject_token_type=" + enc("urn:agentledger:params:oauth:token-type:delegation-chain")
                + "&resource=" + enc(TOOL) + "&scope=" + enc(action));
        extra.forEach((k, v) -> form.append('&').append(k).append('=').append(enc(v)));
        return post(as, "/oauth2/token", "application/x-www-form-urlencoded", form.toString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void delegateExchangeAndApproveAPayment() throws Exception {
        String agentId = agent.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
        String chain = delegation(alice, agentId, "\"invoices:read\",\"payments:send\"", Optional.empty());

        HttpResponse<String> read = exchange(agent, chain, "invoices:read", Map.of());
        assertEquals(200, read.statusCode(), read.body());
        JsonObject token = JsonParser.create(read.body()).readJsonObject();
        assertEquals("Bearer", token.stringValue("token_type", ""));
        long index = token.objectValue("agentledger_log").orElseThrow().longValue("index", -1);
        LogEntry issued = LogEntries.parse(server.server.ledger().entry(index).orElseThrow());
        assertEquals("invoices:read", issued.getCapabilityTokenIssued().getAction());
        assertTrue(!new String(server.server.ledger().entry(index).orElseThrow(), StandardCharsets.ISO_8859_1)
                .contains(token.stringValue("access_token", "")), "the token itself is never logged");

        HttpResponse<String> pay = exchange(agent, chain, "payments:send", Map.of());
        assertEquals(400, pay.statusCode(), pay.body());
        JsonObject pending = JsonParser.create(pay.body()).readJsonObject();
        assertEquals("authorization_pending", pending.stringValue("error", ""));
        String approvalId = pending.stringValue("approval_id", "");

        assertEquals(403, get(agent, "/api/v1/approvals").statusCode(), "an agent is no approver");
        HttpResponse<String> list = get(approver, "/api/v1/approvals");
        assertTrue(list.body().contains(approvalId), list.body());
        HttpResponse<String> approved = post(approver, "/api/v1/approvals/" + approvalId + "/approve", "application/json",
                "{\"comment\":\"invoice checked\"}");
        assertEquals(200, approved.statusCode(), approved.body());

        HttpResponse<String> paid = exchange(agent, chain, "payments:send", Map.of("approval_id", approvalId));
        assertEquals(200, paid.statusCode(), paid.body());
        HttpResponse<String> again = exchange(agent, chain, "payments:send", Map.of("approval_id", approvalId));
        assertTrue(again.statusCode() >= 400, "an approval is used once: " + again.body());
    }

    @Test
    void refusals() throws Exception {
        String agentId = agent.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
        String otherId = otherAgent.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
        String chain = delegation(alice, agentId, "\"invoices:read\"", Optional.empty());

        HttpResponse<String> widen = post(agent, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + otherId
                + "\",\"scopes\":[\"invoices:*\"],\"resources\":[\"" + TOOL + "\"],\"lifetime_seconds\":60,\"max_depth\":0,"
                + "\"chain\":\"" + chain + "\"}");
        assertEquals(403, widen.statusCode(), widen.body());
        String narrowed = delegation(agent, otherId, "\"invoices:read\"", Optional.of(chain));
        assertEquals(200, exchange(otherAgent, narrowed, "invoices:read", Map.of()).statusCode());

        assertEquals("invalid_scope", JsonParser.create(exchange(agent, chain, "invoices:write", Map.of()).body())
                .readJsonObject().stringValue("error", ""));
        assertEquals("unauthorized_client", JsonParser.create(exchange(otherAgent, chain, "invoices:read", Map.of()).body())
                .readJsonObject().stringValue("error", ""), "another agent cannot use this chain");
        assertEquals(403, post(agent, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + otherId
                + "\",\"scopes\":[\"x\"],\"resources\":[\"y\"]}").statusCode(), "an agent grants no root delegation");
        assertEquals(400, post(agent, "/oauth2/token", "application/x-www-form-urlencoded", "grant_type=password").statusCode());
    }
}
