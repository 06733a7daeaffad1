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
import io.helidon.json.JsonValue;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
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

    /** A demo writing to {@code story}, keeping its state in {@code data}. */
    Demo(Story story, DataDir data) {
        this.story = story;
        this.data = data;
    }

    /** Runs every step; the first failure ends the demo with its message. */
    void run() throws Exception {
        start();
        spawnAgents();
        witness();
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
        CertificateAuthority bootstrapCa = new CertificateAuthority(Credentials.read(data.caKey(), data.caCertificate()), clock);
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
        PublicLogClient publicApi = new PublicLogClient(server.publicUrl());
        long started = System.nanoTime();
        try (LedgerClient client = LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), Optional.of(orchestrator))) {
            for (String name : List.of("research", "deploy", "pipeline")) {
                RegisterWorkloadResponse registered = client.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                        .setAgentName(name).setTask("demo").setActingUserSpiffeId(user("alice").value()).build());
                var key = DemoAgent.newKey();
                JsonObject joined = publicApi.postJson("/api/v1/join", JsonObject.builder()
                        .set("join_token", registered.getJoinToken())
                        .set("csr", Base64.getEncoder().encodeToString(DemoAgent.csr(key)))
                        .build());
                List<String> chain = new ArrayList<>();
                for (JsonValue value : joined.arrayValue("certificate_chain").orElseThrow().values()) {
                    chain.add(value.asString().value());
                }
                long index = joined.objectValue("proof").orElseThrow().longValue("index", -1);
                DemoAgent agent = new DemoAgent(SpiffeId.parse(registered.getSpiffeId()), key, DemoAgent.certificates(chain), index);
                agents.add(agent);
                story.detail(agent.spiffeId() + "  registered at #" + registered.getProof().getIndex()
                        + ", SVID serial " + agent.svid().getSerialNumber().toString(16) + " logged at #" + index);
            }
        }
        long micros = (System.nanoTime() - started) / 1_000 / agents.size();
        story.result("agents spawned", agents.size() + " SVIDs logged", micros / 1000 + " ms per agent (register + join)");
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
