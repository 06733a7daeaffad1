package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.IssueJwtSvidRequest;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentledger verify} end to end against a server in this JVM: an SVID and its proof from
 * {@code agent spawn}, a JWT-SVID, a delegation chain and a capability token from the APIs, each
 * accepted, and each refused when one thing about it is wrong.
 */
class VerifyCommandTest {
    private static final String TOOL = "spiffe://agentledger.local/tool/billing";

    @TempDir
    static Path dir;

    static Bootstrap.Prepared prepared;
    static AgentLedgerServer server;
    static Path agentDir;
    static Credentials agent;
    static String agentId;

    @BeforeAll
    static void start() throws Exception {
        DataDir data = new DataDir(dir.resolve("data"));
        prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        server = AgentLedgerServer.start(ServerConfig.of(data)
                .withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0)), prepared, InstantSource.system());
        agentDir = dir.resolve("agent1");
        CliRun spawn = CliRun.run("agent", "spawn", "--name", "research", "--user", "alice",
                "--out", agentDir.toString(), "--data", data.root().toString(),
                "--private-addr", server.privateAddress().toString(), "--public-url", server.publicUrl());
        assertEquals(0, spawn.exit(), spawn.err());
        agent = Credentials.read(agentDir.resolve("key.pem"), agentDir.resolve("svid.pem"));
        agentId = JsonParser.create(Files.readString(agentDir.resolve("proof.json"))).readJsonObject().stringValue("spiffe_id", "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static CliRun verify(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "verify";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--public-url";
        all[args.length + 2] = server.publicUrl();
        return CliRun.run(all);
    }

    private static String vkey() {
        return prepared.logKey().verifierKey().toString();
    }

    private static void assertRefused(CliRun run, String failedCheck, String reason) {
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.err().contains("FAILED " + failedCheck), run.err());
        assertTrue(run.err().contains(reason), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void svidAndItsLogProof() throws Exception {
        String svid = agentDir.resolve("svid.pem").toString();
        String proof = agentDir.resolve("proof.json").toString();
        JsonObject proofJson = JsonParser.create(Files.readString(agentDir.resolve("proof.json"))).readJsonObject();

        CliRun chainOnly = verify("svid", svid);
        assertEquals(0, chainOnly.exit(), chainOnly.err());
        assertTrue(chainOnly.out().contains("spiffe id:  " + agentId), chainOnly.out());

        CliRun logged = verify("svid", svid, "--proof", proof, "--vkey", vkey());
        assertEquals(0, logged.exit(), logged.err());
        assertTrue(logged.out().contains("log index:  " + proofJson.longValue("index", -1)), logged.out());
        assertTrue(logged.out().contains("tree size "), logged.out());
        assertTrue(logged.out().contains("verified: the X509-SVID is valid and its issuance is in a checkpoint"), logged.out());
        assertFalse(logged.err().contains("warning"), logged.err());

        CliRun pinnedFromDiscovery = verify("svid", svid, "--proof", proof);
        assertEquals(0, pinnedFromDiscovery.exit(), pinnedFromDiscovery.err());
        assertTrue(pinnedFromDiscovery.err().contains("warning"), pinnedFromDiscovery.err());

        String[] hashes = proofJson.objectValue("inclusion_proof").orElseThrow().arrayValue("hashes").orElseThrow()
                .values().stream().map(v -> v.asString().value()).toArray(String[]::new);
        String tampered = Files.readString(agentDir.resolve("proof.json")).replace(hashes[0], hashes[hashes.length - 1].equals(hashes[0])
                ? "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" : hashes[hashes.length - 1]);
        Path tamperedProof = dir.resolve("tampered.json");
        Files.writeString(tamperedProof, tampered);
        assertRefused(verify("svid", svid, "--proof", tamperedProof.toString(), "--vkey", vkey()), "inclusion proof", "root");

        Path otherEntry = dir.resolve("other-entry.json");
        Files.writeString(otherEntry, Files.readString(agentDir.resolve("proof.json"))
                .replace("\"index\":" + proofJson.longValue("index", -1) + ",", "\"index\":0,"));
        assertRefused(verify("svid", svid, "--proof", otherEntry.toString(), "--vkey", vkey()), "log entry 0", "entry 0");

        String otherKey = SignerKey.generate(prepared.settings().origin(), SignatureType.ED25519).verifierKey().toString();
        assertRefused(verify("svid", svid, "--proof", proof, "--vkey", otherKey), "checkpoint signature", "");

        assertRefused(verify("svid", svid, "--trust-domain", "other.example"), "X509-SVID chain", "not in trust domain other.example");
    }

    @Test
    void jwtSvid() throws Exception {
        String token;
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(agent))) {
            token = client.issuer().issueJwtSvid(IssueJwtSvidRequest.newBuilder()
                    .setSpiffeId(agentId).addAudience("tool:search").build()).getToken();
        }
        CliRun ok = verify("jwt-svid", token, "--audience", "tool:search");
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("spiffe id:  " + agentId), ok.out());
        assertTrue(ok.out().contains("expires:"), ok.out());

        assertRefused(verify("jwt-svid", token, "--audience", "tool:other"), "JWT-SVID", "want it to contain tool:other");
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + otherSignature(parts[2]);
        assertRefused(verify("jwt-svid", forged, "--audience", "tool:search"), "JWT-SVID", "signature");
    }

    @Test
    void delegationChainAndCapabilityToken() throws Exception {
        CertificateAuthority ca = dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(prepared.dir(),
                prepared.passphrase().value(), InstantSource.system());
        Credentials alice = ca.issueClient(SpiffeId.of("agentledger.local", "user/alice"));
        HttpResponse<String> delegated = post(alice, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + agentId
                + "\",\"scopes\":[\"invoices:read\"],\"resources\":[\"" + TOOL + "\"],\"lifetime_seconds\":600,\"max_depth\":1}");
        assertEquals(200, delegated.statusCode(), delegated.body());
        String chain = JsonParser.create(delegated.body()).readJsonObject().stringValue("chain", "");
        HttpResponse<String> exchanged = post(agent, "/oauth2/token", "application/x-www-form-urlencoded",
                "grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange") + "&subject_token=" + enc(chain)
                        + "&subject_token_type=" + enc("urn:agentledger:params:oauth:token-type:delegation-chain")
                        + "&resource=" + enc(TOOL) + "&scope=" + enc("invoices:read"));
        assertEquals(200, exchanged.statusCode(), exchanged.body());
        String token = JsonParser.create(exchanged.body()).readJsonObject().stringValue("access_token", "");

        CliRun chainOk = verify("chain", chain);
        assertEquals(0, chainOk.exit(), chainOk.err());
        assertTrue(chainOk.out().contains("user:       spiffe://agentledger.local/user/alice"), chainOk.out());
        assertTrue(chainOk.out().contains("delegate:   " + agentId), chainOk.out());
        String[] root = chain.split("\\.");
        assertRefused(verify("chain", root[0] + "." + root[1] + "." + otherSignature(root[2])), "delegation chain", "SIGNATURE");

        String cert = agentDir.resolve("svid.pem").toString();
        CliRun tokenOk = verify("token", token, "--audience", TOOL, "--action", "invoices:read", "--resource", TOOL, "--cert", cert);
        assertEquals(0, tokenOk.exit(), tokenOk.err());
        assertTrue(tokenOk.out().contains("subject:    " + agentId), tokenOk.out());
        assertTrue(tokenOk.out().contains("allows:     invoices:read on " + TOOL), tokenOk.out());

        assertRefused(verify("token", token, "--audience", TOOL, "--action", "invoices:write", "--resource", TOOL, "--cert", cert),
                "capability token", "ACTION");
        assertRefused(verify("token", token, "--audience", "spiffe://agentledger.local/tool/other", "--action", "invoices:read",
                "--resource", TOOL, "--cert", cert), "capability token", "AUDIENCE");
        Path notAnSvid = dir.resolve("bootstrap-client.pem");
        ca.issueClient(SpiffeId.of("agentledger.local", "agent/other/1")).write(dir.resolve("bootstrap-client-key.pem"), notAnSvid);
        assertRefused(verify("token", token, "--audience", TOOL, "--action", "invoices:read", "--resource", TOOL,
                "--cert", notAnSvid.toString()), "holder X509-SVID", "does not validate to the bundle");
        Path other = dir.resolve("agent2");
        CliRun spawn = CliRun.run("agent", "spawn", "--name", "helper", "--out", other.toString(),
                "--data", prepared.dir().root().toString(), "--private-addr", server.privateAddress().toString(),
                "--public-url", server.publicUrl());
        assertEquals(0, spawn.exit(), spawn.err());
        assertRefused(verify("token", token, "--audience", TOOL, "--action", "invoices:read", "--resource", TOOL,
                "--cert", other.resolve("svid.pem").toString()), "capability token", "CONFIRMATION");
        String[] parts = token.split("\\.");
        assertRefused(verify("token", parts[0] + "." + parts[1] + "." + otherSignature(parts[2]), "--audience", TOOL,
                "--action", "invoices:read", "--resource", TOOL, "--cert", cert), "capability token", "SIGNATURE");
    }

    /** A well-formed ES256 signature over other bytes: {@code signature} with its halves swapped. */
    private static String otherSignature(String signature) {
        byte[] raw = java.util.Base64.getUrlDecoder().decode(signature);
        byte[] swapped = new byte[raw.length];
        System.arraycopy(raw, raw.length / 2, swapped, 0, raw.length / 2);
        System.arraycopy(raw, 0, swapped, raw.length / 2, raw.length / 2);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(swapped);
    }

    private static HttpResponse<String> post(Credentials as, String path, String contentType, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(prepared.caCertificate()), Optional.of(as))).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.privateAddress().port() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
