package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
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
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A running server with the parties of the authorization story: the user alice and the approver
 * bob (certificates from the bootstrap CA), agents with X509-SVIDs from the issuer, and
 * delegations and HTTP token exchanges over the private listener.
 */
public final class AgentAuthority implements AutoCloseable {
    public static final String TD = "agentledger.local";
    public static final String TOOL = "spiffe://agentledger.local/tool/billing";
    static final String DELEGATION_CHAIN_TYPE = "urn:agentledger:params:oauth:token-type:delegation-chain";

    /** The in-process server; null when the authority runs in another process ({@link #remote}). */
    public final RunningServer server;
    public final Credentials alice;
    public final Credentials approver;
    private final PrivateListener listener;

    /** Where the private listener is, the CA its certificate chains to, and the operator's credentials. */
    record PrivateListener(HostPort address, X509Certificate ca, Credentials operator) {}

    private AgentAuthority(RunningServer server, PrivateListener listener, Credentials alice, Credentials approver) {
        this.server = server;
        this.listener = listener;
        this.alice = alice;
        this.approver = approver;
    }

    public static AgentAuthority start(Path dir) throws Exception {
        return of(RunningServer.start(dir));
    }

    /** The parties over {@code server} (closed with them). */
    public static AgentAuthority of(RunningServer server) throws Exception {
        CertificateAuthority ca = dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(server.prepared.dir(), server.prepared.passphrase().value(),
                InstantSource.system());
        return new AgentAuthority(server, new PrivateListener(server.server.privateAddress(), server.prepared.caCertificate(), server.operator()),
                ca.issueClient(SpiffeId.of(TD, "user/alice")), ca.issueClient(SpiffeId.of(TD, "approver/bob")));
    }

    /** The parties of the story against a server running in another process; {@link #close()} leaves it running. */
    static AgentAuthority remote(PrivateListener listener, CertificateAuthority ca) throws Exception {
        return new AgentAuthority(null, listener, ca.issueClient(SpiffeId.of(TD, "user/alice")), ca.issueClient(SpiffeId.of(TD, "approver/bob")));
    }

    /** The SPIFFE ID (first URI SAN) of {@code credentials}. */
    public static String spiffeId(Credentials credentials) throws Exception {
        return credentials.certificate().getSubjectAlternativeNames().iterator().next().get(1).toString();
    }

    /** Registers an agent instance {@code name} for alice, as the operator: its SPIFFE ID and one-time join token. */
    RegisterWorkloadResponse register(String name) throws Exception {
        try (LedgerClient operator = client(listener.operator())) {
            return operator.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                    .setAgentName(name).setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
        }
    }

    /** An agent with an X509-SVID from the issuer (registered by the operator, issued on its behalf). */
    public Credentials spawn(String name) throws Exception {
        return issued(RegisterWorkloadRequest.newBuilder()
                .setAgentName(name).setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
    }

    /** A tool ({@code spiffe://agentledger.local/tool/<name>}) with an X509-SVID from the issuer. */
    public Credentials tool(String name) throws Exception {
        return issued(RegisterWorkloadRequest.newBuilder().setAgentName(name).setTool(true).build());
    }

    private Credentials issued(RegisterWorkloadRequest request) throws Exception {
        try (LedgerClient operator = client(listener.operator())) {
            RegisterWorkloadResponse registered = operator.issuer().registerWorkload(request);
            KeyPair key = p256();
            byte[] csr = csr(key);
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

    /** A fresh P-256 key pair, as an agent makes one. */
    static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A PKCS#10 request (DER) for {@code key}, signed with it. */
    static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    /** A client of the private listener presenting {@code credentials}. */
    public LedgerClient client(Credentials credentials) throws Exception {
        return LedgerClient.connect(listener.address(), listener.ca(), Optional.of(credentials));
    }

    /** alice's root delegation of {@code scopes} (JSON strings, comma-separated) on {@link #TOOL} to {@code delegate}: the chain. */
    public String delegate(String delegate, String scopes) throws Exception {
        HttpResponse<String> response = delegation(delegate, scopes);
        assertEquals(200, response.statusCode(), response.body());
        return JsonParser.create(response.body()).readJsonObject().stringValue("chain", "");
    }

    /** alice's {@code POST /api/v1/delegations} of {@code scopes} on {@link #TOOL} to {@code delegate}, 600 s, depth 0: the answer. */
    HttpResponse<String> delegation(String delegate, String scopes) throws Exception {
        String body = "{\"delegate\":\"" + delegate + "\",\"scopes\":[" + scopes + "],\"resources\":[\"" + TOOL + "\"],"
                + "\"lifetime_seconds\":600,\"max_depth\":0}";
        return post(alice, "/api/v1/delegations", "application/json", body);
    }

    /** {@code POST /oauth2/token} as {@code as}: {@code chain} for {@code action} on {@link #TOOL}, with the approval if given. */
    public HttpResponse<String> exchange(Credentials as, String chain, String action, Optional<String> approvalId) throws Exception {
        String form = "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                + "&subject_token=" + enc(chain) + "&subject_token_type=" + enc(DELEGATION_CHAIN_TYPE)
                + "&resource=" + enc(TOOL) + "&scope=" + enc(action) + approvalId.map(id -> "&approval_id=" + enc(id)).orElse("");
        return post(as, "/oauth2/token", "application/x-www-form-urlencoded", form);
    }

    /** A payment by {@code agent} under {@code chain} that the default policy holds for a human: its approval id. */
    public String pendingPayment(Credentials agent, String chain) throws Exception {
        HttpResponse<String> pay = exchange(agent, chain, "payments:send", Optional.empty());
        assertEquals(400, pay.statusCode(), pay.body());
        return JsonParser.create(pay.body()).readJsonObject().stringValue("approval_id").orElseThrow(() -> new AssertionError(pay.body()));
    }

    /** {@code GET path} on the private listener as {@code as}. */
    HttpResponse<String> get(Credentials as, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(listener.ca()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + listener.address().port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(Credentials as, String path, String contentType, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(listener.ca()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + listener.address().port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
