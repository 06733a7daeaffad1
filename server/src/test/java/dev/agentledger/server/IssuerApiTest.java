package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.proto.v1.IssueJwtSvidRequest;
import dev.agentledger.proto.v1.IssueJwtSvidResponse;
import dev.agentledger.proto.v1.IssueX509SvidRequest;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spawning an agent end to end: register over mTLS, redeem the join token, then act as the agent. */
class IssuerApiTest {
    @TempDir
    static Path dir;

    static RunningServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void orchestratorRegistersAgentJoinsThenRenewsItself() throws Exception {
        RegisterWorkloadResponse registered;
        try (LedgerClient operator = server.operatorClient()) {
            registered = operator.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                    .setAgentName("research").setTask("T-1").setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
        }
        assertTrue(registered.getSpiffeId().startsWith("spiffe://agentledger.local/agent/research/"));
        verifyLogged(registered.getProof().getIndex(), registered.getProof().getCheckpoint().toStringUtf8(),
                registered.getProof().getInclusionProof().getHashesList());

        KeyPair key = p256();
        HttpResponse<String> joined = join(registered.getJoinToken(), csr(key));
        assertEquals(200, joined.statusCode(), joined.body());
        JsonObject answer = JsonParser.create(joined.body()).readJsonObject();
        assertEquals(registered.getSpiffeId(), answer.stringValue("spiffe_id", ""));
        List<X509Certificate> chain = new ArrayList<>();
        for (var value : answer.arrayValue("certificate_chain").orElseThrow().values()) {
            chain.add(certificate(Base64.getDecoder().decode(((io.helidon.json.JsonString) value).value())));
        }
        assertEquals(key.getPublic(), chain.get(0).getPublicKey());
        JsonObject proof = answer.objectValue("proof").orElseThrow();
        List<ByteString> hashes = new ArrayList<>();
        for (var value : proof.objectValue("inclusion_proof").orElseThrow().arrayValue("hashes").orElseThrow().values()) {
            hashes.add(ByteString.copyFrom(Base64.getDecoder().decode(((io.helidon.json.JsonString) value).value())));
        }
        verifyLogged(proof.longValue("index", -1), proof.stringValue("checkpoint", ""), hashes);

        HttpResponse<String> replay = join(registered.getJoinToken(), csr(p256()));
        assertEquals(403, replay.statusCode());
        assertTrue(replay.body().contains("already used"), replay.body());

        try (LedgerClient agent = LedgerClient.connect(server.server.privateAddress(), server.prepared.caCertificate(),
                Optional.of(new Credentials(key.getPrivate(), chain)))) {
            IssueJwtSvidResponse jwt = agent.issuer().issueJwtSvid(IssueJwtSvidRequest.newBuilder()
                    .setSpiffeId(registered.getSpiffeId()).addAudience("tool:search").build());
            assertEquals(3, jwt.getToken().split("\\.").length);
            agent.issuer().issueX509Svid(IssueX509SvidRequest.newBuilder()
                    .setSpiffeId(registered.getSpiffeId()).setCsr(ByteString.copyFrom(csr(p256()))).build());

            StatusRuntimeException notItsRole = assertThrows(StatusRuntimeException.class,
                    () -> agent.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder().setAgentName("x").build()));
            assertEquals(Status.Code.PERMISSION_DENIED, notItsRole.getStatus().getCode());
            StatusRuntimeException notItsId = assertThrows(StatusRuntimeException.class,
                    () -> agent.issuer().issueJwtSvid(IssueJwtSvidRequest.newBuilder()
                            .setSpiffeId("spiffe://agentledger.local/agent/research/other").addAudience("a").build()));
            assertEquals(Status.Code.NOT_FOUND, notItsId.getStatus().getCode());
        }
    }

    @Test
    void refusedCsrIssuesNothing() throws Exception {
        try (LedgerClient operator = server.operatorClient()) {
            RegisterWorkloadResponse registered = operator.issuer().registerWorkload(
                    RegisterWorkloadRequest.newBuilder().setAgentName("bot").build());
            long size = server.treeSize();
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> operator.issuer().issueX509Svid(IssueX509SvidRequest.newBuilder()
                            .setSpiffeId(registered.getSpiffeId()).setCsr(ByteString.copyFromUtf8("not a csr")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
            assertEquals(size, server.treeSize());
        }
        HttpResponse<String> garbage = post("/api/v1/join", "{\"join_token\": 5}");
        assertEquals(400, garbage.statusCode(), garbage.body());
        HttpResponse<String> huge = post("/api/v1/join", "{\"csr\": \"" + "A".repeat(20_000) + "\"}");
        assertEquals(400, huge.statusCode(), huge.body());
    }

    @Test
    void bundleServesTheAuthorities() throws Exception {
        JsonObject bundle = JsonParser.create(server.getText("/api/v1/bundle")).readJsonObject();
        assertTrue(bundle.longValue("spiffe_sequence", 0) >= 1);
        assertEquals(2, bundle.arrayValue("keys").orElseThrow().values().size());
    }

    /** The index's leaf is included in the signed checkpoint the answer carried. */
    private static void verifyLogged(long index, String note, List<ByteString> proofHashes) throws Exception {
        Checkpoint checkpoint = Checkpoint.parse(Notes.open(note.getBytes(StandardCharsets.UTF_8), List.of(server.logVerifier())).text());
        byte[] entry = server.server.ledger().entry(index).orElseThrow();
        List<Hash> hashes = proofHashes.stream().map(b -> Hash.of(b.toByteArray())).toList();
        new InclusionProof(index, checkpoint.size(), hashes).verify(Rfc6962.hashLeaf(entry), checkpoint.root());
    }

    private static HttpResponse<String> join(String token, byte[] csr) throws Exception {
        return post("/api/v1/join", "{\"join_token\": \"" + token + "\", \"csr\": \"" + Base64.getEncoder().encodeToString(csr) + "\"}");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return server.http.send(HttpRequest.newBuilder(URI.create(server.server.publicUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ignored"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    private static X509Certificate certificate(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
