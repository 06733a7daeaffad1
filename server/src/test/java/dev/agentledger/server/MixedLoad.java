package dev.agentledger.server;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.proto.v1.RegisterWorkloadResponse;
import dev.agentledger.proto.v1.RevocationEvent;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.X509SvidIssued;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A mixed load through a running server's real APIs, from several threads, recording only what
 * the server acknowledged: log appends over gRPC, agent registration and join (an X509-SVID),
 * delegation, RFC 8693 token exchange and central consumption of the token, and revocations.
 * Each answer's log position (index, leaf hash, signed checkpoint) goes into the {@link Journal}.
 */
final class MixedLoad {
    /** One acknowledged log position: the entry's index and leaf hash, and the checkpoint the answer carried. */
    record Ack(String what, long index, Hash leaf, Checkpoint checkpoint) {}

    /** An acknowledged revocation: its feed sequence, its index in the log, and its entry's leaf hash. */
    record Revocation(long sequence, long logIndex, Hash leaf) {}

    /** A capability token consumed at the authority, with the round it was consumed in. */
    record Consumed(String token, int round) {}

    /** Everything acknowledged across all rounds. Thread-safe. */
    static final class Journal {
        final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
        final Queue<Revocation> revocations = new ConcurrentLinkedQueue<>();
        final Queue<Consumed> consumed = new ConcurrentLinkedQueue<>();
        final List<Credentials> agents = new CopyOnWriteArrayList<>();
        final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        void count(String what) {
            counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private final AgentAuthority authority;
    private final ServerProcess server;
    private final Credentials operator;
    private final Credentials tool;
    private final NoteVerifier logKey;
    private final Journal journal;
    private final int round;
    private final HttpClient publicHttp = HttpClient.newHttpClient();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean killing;

    MixedLoad(AgentAuthority authority, ServerProcess server, Credentials operator, Credentials tool, NoteVerifier logKey,
            Journal journal, int round) {
        this.authority = authority;
        this.server = server;
        this.operator = operator;
        this.tool = tool;
        this.logKey = logKey;
        this.journal = journal;
        this.round = round;
    }

    /** Starts {@code threads} workers; each runs until a call fails after {@link #killing()}. */
    List<Thread> start(int threads, long seed) {
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(seed * 100 + t);
            workers.add(Thread.ofPlatform().name("soak-load-" + t).daemon(true).start(() -> work(random)));
        }
        return workers;
    }

    /**
     * Says the server is about to be killed: failures from now on are the kill's doing. Returns
     * the failures seen while it was up (there must be none).
     */
    List<Throwable> killing() {
        killing = true;
        return List.copyOf(failures);
    }

    private void work(Random random) {
        try (LedgerClient client = authority.client(operator)) {
            while (true) {
                try {
                    switch (random.nextInt(4)) {
                        case 0 -> append(client, random);
                        case 1 -> spawn(client);
                        case 2 -> exchangeAndConsume(client, random);
                        default -> revoke(client);
                    }
                } catch (Exception | AssertionError e) {
                    if (killing) {
                        return;
                    }
                    failures.add(e);
                    Thread.sleep(100);
                }
            }
        } catch (Exception e) {
            if (!killing) {
                failures.add(e);
            }
        }
    }

    private void append(LedgerClient client, Random random) throws Exception {
        byte[] serial = new byte[8];
        random.nextBytes(serial);
        serial[0] = 0x01; // a positive DER INTEGER in its minimal form
        LogEntry entry = LogEntry.newBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(1).setRequestId("soak-" + round))
                .setX509SvidIssued(X509SvidIssued.newBuilder()
                        .setSpiffeId("spiffe://agentledger.local/agent/soak/" + HexFormat.of().formatHex(serial))
                        .setSerial(ByteString.copyFrom(serial)))
                .build();
        AppendResponse answer = client.append(entry, false);
        Ack ack = ack("append", answer.getIndex(), Hash.of(answer.getLeafHash().toByteArray()), answer.getCheckpoint().toByteArray());
        var proof = answer.getInclusionProof();
        InclusionProof.parse(proof.getIndex(), proof.getTreeSize(), proof.getHashesList().stream().map(ByteString::toByteArray).toList())
                .verify(ack.leaf(), ack.checkpoint().root());
    }

    /** Registers an agent instance, then does what the agent does: redeems its join token with a CSR for an X509-SVID. */
    private void spawn(LedgerClient client) throws Exception {
        RegisterWorkloadResponse registered = client.issuer().registerWorkload(RegisterWorkloadRequest.newBuilder()
                .setAgentName("soak").setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
        ack("register", registered.getProof().getIndex(), Hash.of(registered.getProof().getLeafHash().toByteArray()),
                registered.getProof().getCheckpoint().toByteArray());
        KeyPair key = AgentAuthority.p256();
        String body = "{\"join_token\":\"" + registered.getJoinToken() + "\",\"csr\":\""
                + Base64.getEncoder().encodeToString(AgentAuthority.csr(key)) + "\"}";
        HttpResponse<String> joined = publicHttp.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + "/api/v1/join"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject json = ok("join", joined);
        logged("join", json.objectValue("proof").orElseThrow());
        List<X509Certificate> chain = new ArrayList<>();
        for (JsonValue der : json.arrayValue("certificate_chain").orElseThrow().values()) {
            chain.add((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(der.asString().value()))));
        }
        journal.agents.add(new Credentials(key.getPrivate(), chain));
    }

    /** alice delegates to an agent, the agent exchanges the delegation for a capability token, the tool spends it. */
    private void exchangeAndConsume(LedgerClient client, Random random) throws Exception {
        if (journal.agents.isEmpty()) {
            spawn(client);
        }
        Credentials agent = journal.agents.get(random.nextInt(journal.agents.size()));
        JsonObject delegation = ok("delegation", authority.delegation(AgentAuthority.spiffeId(agent), "\"invoices:read\""));
        logged("delegation", delegation.objectValue("log").orElseThrow());
        JsonObject exchanged = ok("exchange", authority.exchange(agent, delegation.stringValue("chain", ""), "invoices:read", Optional.empty()));
        logged("exchange", exchanged.objectValue("agentledger_log").orElseThrow());
        String token = exchanged.stringValue("access_token", "");
        JsonObject consumed = ok("consume", authority.post(tool, "/api/v1/tokens/consume", "application/json",
                "{\"token\":\"" + token + "\"}"));
        logged("consume", consumed.objectValue("log").orElseThrow());
        journal.consumed.add(new Consumed(token, round));
    }

    private void revoke(LedgerClient client) throws Exception {
        RevocationEvent event = RevocationServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .revoke(RevokeRequest.newBuilder().setRequestId("soak-" + round)
                        .setRevocation(Revoked.newBuilder().setTokenId("soak-" + UUID.randomUUID())
                                .setReason(RevocationReason.REVOCATION_REASON_SUPERSEDED))
                        .build())
                .getEvent();
        Hash leaf = Rfc6962.hashLeaf(event.getEntry().toByteArray());
        ack("revocation", event.getLogIndex(), leaf, event.getCheckpoint().toByteArray());
        journal.revocations.add(new Revocation(event.getSequence(), event.getLogIndex(), leaf));
    }

    private static JsonObject ok(String what, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(what + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return JsonParser.create(response.body()).readJsonObject();
    }

    /** Records a JSON log position: {@code index}, {@code leaf_hash} (base64) and {@code checkpoint} (the note). */
    private void logged(String what, JsonObject log) throws VerificationException {
        ack(what, log.longValue("index", -1), Hash.fromBase64(log.stringValue("leaf_hash", "")),
                log.stringValue("checkpoint", "").getBytes(StandardCharsets.UTF_8));
    }

    private Ack ack(String what, long index, Hash leaf, byte[] note) throws VerificationException {
        Ack ack = new Ack(what, index, leaf, checkpoint(note, logKey));
        if (index < 0 || index >= ack.checkpoint().size()) {
            throw new AssertionError(what + ": index " + index + " outside its checkpoint of size " + ack.checkpoint().size());
        }
        journal.acks.add(ack);
        journal.count(what);
        return ack;
    }

    /** Opens a checkpoint note the log signed. */
    static Checkpoint checkpoint(byte[] note, NoteVerifier logKey) throws VerificationException {
        return Checkpoint.parse(Notes.open(note, List.of(logKey)).text());
    }
}
