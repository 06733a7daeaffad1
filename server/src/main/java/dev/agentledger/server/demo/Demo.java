package dev.agentledger.server.demo;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.PublicLogClient;
import dev.agentledger.server.witness.WitnessServer;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import io.helidon.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import dev.agentledger.verifierclient.agent.Agent;
import dev.agentledger.verifierclient.agent.AgentConfig;
import dev.agentledger.verifierclient.agent.AgentException;
import dev.agentledger.verifierclient.agent.Svid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole story on a fresh authority, through its real APIs: an orchestrator spawns agents that
 * obtain logged SVIDs, a witness cosigns, and an auditor checks the log. Each step prints what it
 * did and measured; {@link Story} prints the summary.
 */
public final class Demo implements AutoCloseable {
    private final Story story;
    private final DataDir data;
    private final InstantSource clock = InstantSource.system();
    private final List<AutoCloseable> running = new ArrayList<>();
    private Bootstrap.Prepared prepared;
    private AgentLedgerServer server;
    private WitnessServer witnessServer;
    private SignerKey witnessKey;
    private Credentials orchestrator;
    private final List<DemoAgent> agents = new ArrayList<>();
    private String toolId;
    private SampleTool tool;
    private dev.agentledger.verifierclient.svid.SpiffeBundle bundle;
    private Credentials alice;
    private String chain;
    private String pipelineChain;

    /** A demo writing to {@code story}, keeping its state in {@code data}. */
    Demo(Story story, DataDir data) {
        this.story = story;
        this.data = data;
    }

    /** Runs every step; the first failure ends the demo with its message. */
    void run() throws Exception {
        start();
        spawnAgents();
        startTool();
        delegate();
        callTool();
        approvals();
        subDelegate();
        revoke();
        witness();
        audit();
    }

    private void start() throws Exception {
        story.step("Start the authority on the embedded default");
        prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), clock);
        witnessKey = SignerKey.generate("witness.demo.agentledger.local", SignatureType.COSIGNATURE_V1);
        Witness witness = Witness.create(CosignatureV1Signer.create(witnessKey, clock),
                Map.of(prepared.settings().origin(), List.of(prepared.logKey().verifierKey())),
                new FileWitnessStore(data.root().resolve("demo-witness")));
        witnessServer = WitnessServer.start(witness, new HostPort("127.0.0.1", 0));
        running.add(witnessServer);
        ServerConfig config = ServerConfig.of(data)
                .withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0))
                .withWitnesses(List.of(new WitnessSubmitter.Witness(URI.create(witnessServer.url()), witnessKey.verifierKey())));
        server = AgentLedgerServer.start(config, prepared, clock);
        running.add(0, server);
        CertificateAuthority bootstrapCa = bootstrapCa();
        orchestrator = bootstrapCa.issueClient(SpiffeId.of(prepared.settings().trustDomain(), "orchestrator/demo"));
        story.detail("trust domain   " + prepared.settings().trustDomain());
        story.detail("log origin     " + prepared.settings().origin());
        story.detail("public API     " + server.publicUrl() + "  (console: " + server.publicUrl() + "/ui/)");
        story.detail("private mTLS   " + server.privateAddress());
        story.detail("witness        " + witnessServer.url() + "  " + witnessKey.verifierKey());
        story.result("authority started", "ok", "log size " + server.ledger().checkpoint().size());
    }

    private void spawnAgents() throws Exception {
        story.step("An orchestrator spawns agents; each obtains a logged X509-SVID with its own key");
        long started = System.nanoTime();
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(orchestrator))) {
            for (String name : List.of("research", "deploy", "pipeline")) {
                RegisterWorkloadResponse registered = client.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                        .setAgentName(name).setTask("demo").setActingUserSpiffeId(user("alice").value()).build());
                DemoAgent agent = new DemoAgent(join(registered));
                agents.add(agent);
                story.detail(agent.spiffeId() + "  registered at #" + registered.getProof().getIndex()
                        + ", SVID serial " + agent.svid().getSerialNumber().toString(16) + " logged at #" + agent.logIndex()
                        + " (proof verified by the agent)");
            }
        }
        long micros = (System.nanoTime() - started) / 1_000 / agents.size();
        story.result("agents spawned", agents.size() + " SVIDs logged", micros / 1000 + " ms per agent (register + join)");
    }

    /**
     * The registered workload's own side, through the agent SDK: a P-256 key made here, the join
     * token redeemed for an SVID that is verified on arrival (logged, SPIFFE rules, expected ID).
     */
    private Agent join(RegisterWorkloadResponse registered) throws AgentException {
        AgentConfig config = AgentConfig.of(URI.create(server.publicUrl()), URI.create("https://" + server.privateAddress()),
                LogVerifier.create(prepared.settings().origin(), prepared.logKey().verifierKey(), List.of(), 0),
                prepared.settings().trustDomain(), List.of(prepared.caCertificate())).withClock(clock);
        Agent agent = Agent.join(config, SpiffeId.parse(registered.getSpiffeId()), registered.getJoinToken());
        running.add(0, agent);
        return agent;
    }

    private void witness() throws Exception {
        story.step("A witness cosigns the log's checkpoint (C2SP tlog-witness, cosignature/v1)");
        server.witnessSubmitter().orElseThrow().submitOnce();
        String note = new String(new PublicLogClient(server.publicUrl()).get("/checkpoint"), java.nio.charset.StandardCharsets.UTF_8);
        LogVerifier verifier = LogVerifier.create(prepared.settings().origin(), prepared.logKey().verifierKey(),
                List.of(witnessKey.verifierKey()), 1);
        VerifiedCheckpoint checkpoint = verifier.verify(note);
        story.detail("checkpoint of size " + checkpoint.size() + " carries " + checkpoint.cosignatures().size()
                + " valid cosignature(s); K = 1 required");
        story.result("witness cosigned", "ok", "size " + checkpoint.size());
    }

    private void startTool() throws Exception {
        story.step("A tool (invoicing) starts behind the verifier-client guard, with its own SVID");
        Credentials operator = Credentials.read(data.operatorKey(), data.operatorCertificate(), prepared.passphrase().value());
        Svid toolSvid;
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(operator))) {
            RegisterWorkloadResponse registered = client.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                    .setAgentName("billing").setTool(true).build());
            toolSvid = join(registered).svid().orElseThrow();
            toolId = registered.getSpiffeId();
        }
        tool = SampleTool.start(toolId, new Credentials(toolSvid.key(), toolSvid.chain()), server.publicUrl(), prepared.settings().trustDomain(),
                SpiffeId.of(prepared.settings().trustDomain(), "agentledger/issuer").value(), prepared.settings().origin(),
                prepared.logKey().verifierKey(), data.root().resolve("demo-tool"));
        running.add(0, tool);
        tool.awaitFeed(Duration.ofSeconds(10));
        bundle = dev.agentledger.verifierclient.svid.SpiffeBundle.parse(
                new String(new PublicLogClient(server.publicUrl()).get("/api/v1/bundle"), java.nio.charset.StandardCharsets.UTF_8),
                prepared.settings().trustDomain());
        story.detail(toolId + " at " + tool.url());
        story.detail("it trusts only public material: the trust bundle, the token keys, the log key, the revocation feed");
        story.result("tool started", "ok", "routes: GET /invoices/{id} (" + SampleTool.READ + "), POST /payments (" + SampleTool.PAY + ")");
    }

    private void delegate() throws Exception {
        story.step("Alice (a user) delegates to the research agent: read invoices and send payments, at the billing tool, for 1 h");
        alice = bootstrapCa().issueClient(user("alice"));
        JsonObject granted = private_(alice, "/api/v1/delegations", "application/json", "{\"delegate\":\"" + agents.get(0).spiffeId()
                + "\",\"scopes\":[\"" + SampleTool.READ + "\",\"" + SampleTool.PAY + "\"],\"resources\":[\"" + toolId
                + "\"],\"lifetime_seconds\":3600,\"max_depth\":1}", 200);
        chain = granted.stringValue("chain", "");
        story.detail("delegation " + granted.stringValue("delegation_id", "") + " logged at #"
                + granted.objectValue("log").orElseThrow().longValue("index", -1) + " (the token itself is never logged)");
        story.result("delegation granted", "ok", "scopes " + SampleTool.READ + ", " + SampleTool.PAY);
    }

    private void callTool() throws Exception {
        story.step("The agent exchanges its delegation for a single-use capability token (RFC 8693) and calls the tool");
        DemoAgent research = agents.get(0);
        long started = System.nanoTime();
        JsonObject token = exchange(research, chain, SampleTool.READ, Optional.empty(), 200);
        long exchangeMicros = (System.nanoTime() - started) / 1000;
        started = System.nanoTime();
        var answer = callTool(research, token, "GET", "/invoices/42");
        long callMicros = (System.nanoTime() - started) / 1000;
        story.detail("token " + shortId(token) + " for " + SampleTool.READ + ", bound to the agent's certificate, logged at #" + logIndex(token));
        story.detail("GET /invoices/42 -> " + answer.statusCode() + " " + answer.body());
        expect(answer.statusCode() == 200, "the tool refused a valid call: " + answer.body());
        var replay = callTool(research, token, "GET", "/invoices/42");
        story.detail("the same token again -> " + replay.statusCode() + " " + reason(replay.body()));
        expect(replay.statusCode() == 403, "a replayed token was accepted");
        var other = callTool(agents.get(1), exchangeOrNull(research), "GET", "/invoices/42");
        story.detail("a fresh token presented by another agent -> " + other.statusCode() + " " + reason(other.body()));
        expect(other.statusCode() >= 400, "a token bound to another certificate was accepted");
        story.result("tool call", "allowed once, replay refused", "exchange " + exchangeMicros / 1000 + " ms, call " + callMicros / 1000 + " ms");
    }

    private JsonObject exchangeOrNull(DemoAgent agent) throws Exception {
        return exchange(agent, chain, SampleTool.READ, Optional.empty(), 200);
    }

    private void approvals() throws Exception {
        story.step("A payment is risky: the policy asks a human; the approver approves one and denies another");
        DemoAgent research = agents.get(0);
        Credentials bob = bootstrapCa().issueClient(SpiffeId.of(prepared.settings().trustDomain(), "approver/bob"));
        JsonObject pending = exchange(research, chain, SampleTool.PAY, Optional.empty(), 400);
        String first = pending.stringValue("approval_id", "");
        story.detail("exchange for " + SampleTool.PAY + " -> " + pending.stringValue("error", "") + ", approval " + first);
        private_(bob, "/api/v1/approvals/" + first + "/approve", "application/json", "{\"comment\":\"invoice 42 checked\"}", 200);
        story.detail("bob (approver) approves " + first);
        JsonObject token = exchange(research, chain, SampleTool.PAY, Optional.of(first), 200);
        var paid = callTool(research, token, "POST", "/payments");
        story.detail("retry with the approval -> token; POST /payments -> " + paid.statusCode());
        expect(paid.statusCode() == 200, "the approved payment was refused: " + paid.body());
        String second = exchange(research, chain, SampleTool.PAY, Optional.empty(), 400).stringValue("approval_id", "");
        private_(bob, "/api/v1/approvals/" + second + "/deny", "application/json", "{\"comment\":\"not in the budget\"}", 200);
        JsonObject denied = exchange(research, chain, SampleTool.PAY, Optional.of(second), 403);
        story.detail("a second payment: bob denies " + second + "; retry -> " + denied.stringValue("error", ""));
        story.result("human approval", "1 approved and paid, 1 denied", "every step logged");
    }

    private void subDelegate() throws Exception {
        story.step("The research agent sub-delegates to the pipeline agent: narrowing works, widening is refused");
        DemoAgent research = agents.get(0);
        DemoAgent pipeline = agents.get(2);
        JsonObject narrowed = private_(research.credentials(), "/api/v1/delegations", "application/json",
                "{\"delegate\":\"" + pipeline.spiffeId() + "\",\"scopes\":[\"" + SampleTool.READ + "\"],\"resources\":[\"" + toolId
                + "\"],\"lifetime_seconds\":600,\"max_depth\":0,\"chain\":\"" + chain + "\"}", 200);
        pipelineChain = narrowed.stringValue("chain", "");
        story.detail("narrowed to " + SampleTool.READ + " for 10 min: delegation " + narrowed.stringValue("delegation_id", ""));
        JsonObject widened = private_(research.credentials(), "/api/v1/delegations", "application/json",
                "{\"delegate\":\"" + pipeline.spiffeId() + "\",\"scopes\":[\"payments:*\"],\"resources\":[\"" + toolId
                + "\"],\"lifetime_seconds\":600,\"max_depth\":0,\"chain\":\"" + chain + "\"}", 403);
        story.detail("widening to payments:* -> refused: " + widened.stringValue("error", ""));
        var read = callTool(pipeline, exchange(pipeline, pipelineChain, SampleTool.READ, Optional.empty(), 200), "GET", "/invoices/7");
        expect(read.statusCode() == 200, "the narrowed delegation did not work: " + read.body());
        story.detail("the pipeline agent reads /invoices/7 under the narrowed chain -> " + read.statusCode());
        story.result("sub-delegation", "narrowed ok, widening refused", "chain depth 2");
    }

    private void revoke() throws Exception {
        story.step("The pipeline agent is compromised: a revoker revokes it; the tool refuses its next call");
        DemoAgent pipeline = agents.get(2);
        Credentials secops = bootstrapCa().issueClient(SpiffeId.of(prepared.settings().trustDomain(), "revoker/secops"));
        JsonObject token = exchange(pipeline, pipelineChain, SampleTool.READ, Optional.empty(), 200);
        var ids = dev.agentledger.verifierclient.revocation.CredentialIds.none().withSpiffeId(pipeline.spiffeId().value());
        long started = System.nanoTime();
        JsonObject revoked = private_(secops, "/api/v1/revocations", "application/json", "{\"revocation\":{\"spiffe_id\":\""
                + pipeline.spiffeId() + "\",\"reason\":\"REVOCATION_REASON_AGENT_COMPROMISE\",\"cascade\":true}}", 200);
        long acknowledged = System.nanoTime();
        while (!(tool.revocations().check(ids) instanceof dev.agentledger.verifierclient.revocation.RevocationStatus.Revoked)) {
            expect(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "the revocation did not reach the tool within 5 s");
            Thread.sleep(0, 200_000);
        }
        long reached = System.nanoTime();
        var refused = callTool(pipeline, token, "GET", "/invoices/7");
        story.detail("revocation logged and acknowledged in " + (acknowledged - started) / 1_000_000 + " ms: " + compact(revoked));
        story.detail("the tool's cache had it " + (reached - started) / 1_000_000 + " ms after the request was sent");
        story.detail("the pipeline agent's next call -> " + refused.statusCode() + " " + reason(refused.body()));
        expect(refused.statusCode() == 403, "the revoked agent was let through");
        story.result("revocation", "refused everywhere", "revoke request to the tool's cache in " + (reached - started) / 1_000_000 + " ms");
    }

    private void audit() throws Exception {
        story.step("An auditor replays the log from its tiles alone and lists every identity that ever existed");
        LogVerifier verifier = LogVerifier.create(prepared.settings().origin(), prepared.logKey().verifierKey(),
                List.of(witnessKey.verifierKey()), 1);
        var counters = new dev.agentledger.verifierclient.monitor.AlertCounters();
        long started = System.nanoTime();
        try (var monitor = dev.agentledger.verifierclient.monitor.Monitor.open(dev.agentledger.verifierclient.monitor.MonitorSettings.of(
                verifier, dev.agentledger.verifierclient.monitor.HttpTileFetcher.create(server.publicUrl(), Duration.ofSeconds(10)),
                data.root().resolve("demo-auditor"), counters))) {
            var result = monitor.poll();
            long millis = (System.nanoTime() - started) / 1_000_000;
            java.util.Map<String, java.util.List<String>> identities = new java.util.TreeMap<>();
            for (var record : monitor.inventory().query(r -> !r.spiffeId().isEmpty())) {
                identities.computeIfAbsent(record.spiffeId(), k -> new ArrayList<>()).add(record.kind());
            }
            story.detail("verified " + result.entriesRead() + " entries: every leaf hashed, the tree rebuilt to the witnessed root "
                    + "(size " + result.checkpoint().size() + "), the signature and 1 cosignature checked");
            for (var entry : identities.entrySet()) {
                java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
                entry.getValue().forEach(k -> kinds.merge(k, 1L, Long::sum));
                story.detail(String.format("%-64s %s", entry.getKey(), kinds));
            }
            long anomalies = counters.count(dev.agentledger.verifierclient.monitor.AlertKind.ANOMALY);
            story.detail(anomalies + " policy decisions flagged as new for their agent (first use of an action on a resource)");
            story.result("audit from tiles", identities.size() + " identities, " + (counters.total() - anomalies) + " alerts, "
                    + anomalies + " anomaly flags", result.entriesRead() + " entries in " + millis + " ms");
        }
    }

    private JsonObject exchange(DemoAgent agent, String subject, String action, Optional<String> approval, int expected) throws Exception {
        StringBuilder form = new StringBuilder("grant_type=" + enc("urn:ietf:params:oauth:grant-type:token-exchange")
                + "&subject_token=" + enc(subject)
                + "&subject_token_type=" + enc("urn:agentledger:params:oauth:token-type:delegation-chain")
                + "&resource=" + enc(toolId) + "&scope=" + enc(action));
        approval.ifPresent(id -> form.append("&approval_id=").append(enc(id)));
        return private_(agent.credentials(), "/oauth2/token", "application/x-www-form-urlencoded", form.toString(), expected);
    }

    /** POSTs to the authority's private listener over mTLS as {@code as}; requires the {@code expected} status. */
    private JsonObject private_(Credentials as, String path, String type, String body, int expected) throws Exception {
        var client = java.net.http.HttpClient.newBuilder()
                .sslContext(dev.agentledger.server.client.TlsContexts.of(List.of(prepared.caCertificate()), Optional.of(as))).build();
        var response = client.send(java.net.http.HttpRequest.newBuilder(
                        URI.create("https://localhost:" + server.privateAddress().port() + path))
                .header("Content-Type", type).POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        expect(response.statusCode() == expected, "POST " + path + " answered " + response.statusCode() + ", want " + expected
                + ": " + response.body());
        return io.helidon.json.JsonParser.create(response.body()).readJsonObject();
    }

    /** Calls the tool as {@code agent} with {@code token} and its log proof. */
    private java.net.http.HttpResponse<String> callTool(DemoAgent agent, JsonObject token, String method, String path) throws Exception {
        String entry = new String(new PublicLogClient(server.publicUrl()).get("/api/v1/entries/" + logIndex(token)),
                java.nio.charset.StandardCharsets.UTF_8);
        var client = java.net.http.HttpClient.newBuilder()
                .sslContext(dev.agentledger.server.client.TlsContexts.forSpiffePeer(bundle, toolId, agent.credentials())).build();
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create(tool.url() + path))
                        .header("Authorization", "Bearer " + token.stringValue("access_token", ""))
                        .header(dev.agentledger.verifierclient.guard.LogProof.HEADER, dev.agentledger.verifierclient.guard.LogProof.header(entry))
                        .method(method, method.equals("POST") ? java.net.http.HttpRequest.BodyPublishers.ofString("{\"invoice\":42}")
                                : java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static long logIndex(JsonObject token) {
        return token.objectValue("agentledger_log").orElseThrow().longValue("index", -1);
    }

    private static String shortId(JsonObject token) {
        String access = token.stringValue("access_token", "");
        return "(sha256 " + java.util.HexFormat.of().formatHex(sha256(access)).substring(0, 12) + "...)";
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(String body) {
        try {
            JsonObject json = io.helidon.json.JsonParser.create(body).readJsonObject();
            return json.stringValue("reason", json.stringValue("error", body));
        } catch (RuntimeException e) {
            return body;
        }
    }

    private static String compact(JsonObject json) {
        String text = json.toString();
        return text.length() > 120 ? text.substring(0, 117) + "..." : text;
    }

    private static String enc(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void expect(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException("demo step failed: " + failure);
        }
    }

    private CertificateAuthority bootstrapCa() throws java.io.IOException, java.security.GeneralSecurityException {
        return Bootstrap.certificateAuthority(data, prepared.passphrase().value(), clock);
    }

    SpiffeId user(String name) {
        return SpiffeId.of(prepared.settings().trustDomain(), "user/" + name);
    }

    /** The public URL of the running authority, once started. */
    String publicUrl() {
        return server.publicUrl();
    }

    /** Stops everything the demo started, the authority first. */
    @Override
    public void close() {
        for (AutoCloseable closeable : running) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing is best effort; the process is about to end.
            }
        }
    }

    static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
