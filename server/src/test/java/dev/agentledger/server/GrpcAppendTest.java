package dev.agentledger.server;

import dev.agentledger.proto.SpiffeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.GetEntryRequest;
import dev.agentledger.proto.v1.GetInclusionProofRequest;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Append over mTLS: who may, what gets logged, and that every refusal leaves the log unchanged. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcAppendTest {
    private RunningServer server;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        server = RunningServer.start(dir);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void operatorAppendReturnsAProofThatVerifiesAgainstTheReturnedCheckpoint() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            AppendResponse response = client.append(RunningServer.revocation("spiffe://agentledger.local/a", "req-1"), false);
            VerifiedInclusion verified = VerifiedInclusion.verify(response.getEntry().toByteArray(),
                    Hash.parse(response.getLeafHash().toByteArray()), response.getCheckpoint().toByteArray(),
                    proof(response.getInclusionProof()), server.logVerifier());
            assertEquals(response.getIndex(), verified.index());
            assertEquals(response.getIndex() + 1, verified.checkpoint().size());
        }
    }

    @Test
    void theLoggedCallerIsTheCertificatesWhateverTheRequestClaimed() throws Exception {
        LogEntry claimed = RunningServer.revocation("spiffe://agentledger.local/b", "req-2").toBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(1).setRequestId("req-2")
                        .setCallerSpiffeId("spiffe://evil.example/admin").setTimeUnixMillis(1))
                .build();
        try (LedgerClient client = server.operatorClient()) {
            AppendResponse response = client.append(claimed, false);
            byte[] stored = server.server.ledger().entry(response.getIndex()).orElseThrow();
            LogEntry logged = LogEntries.parse(stored);
            assertEquals(server.prepared.operatorId().value(), logged.getHeader().getCallerSpiffeId());
            assertTrue(logged.getHeader().getTimeUnixMillis() > 1);
            assertEquals("req-2", logged.getHeader().getRequestId());
            assertEquals(response.getEntry(), com.google.protobuf.ByteString.copyFrom(stored));
            var fetched = client.stub().getEntry(GetEntryRequest.newBuilder().setIndex(response.getIndex()).build());
            assertEquals(response.getEntry(), fetched.getEntry());
        }
    }

    @Test
    void withoutAClientCertificateTheCallFails() throws Exception {
        assertRefused(Set.of(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED), Optional.empty(), Function.identity());
    }

    @Test
    void aCertificateFromAnotherCaFails() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("agentledger.local", InstantSource.system());
        Credentials impostor = other.issueClient(server.prepared.operatorId());
        assertRefused(Set.of(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED), Optional.of(impostor), Function.identity());
    }

    @Test
    void aBootstrapCaIdentityThatIsNotAnAppenderIsDenied() throws Exception {
        assertRefused(Set.of(Status.Code.PERMISSION_DENIED), Optional.of(issue("agent/not-an-appender")), Function.identity());
    }

    @Test
    void aToolMayAppendItsToolCallRecordsAndNothingElse() throws Exception {
        Credentials tool = issue("tool/billing");
        LogEntry call = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setUpstream("spiffe://agentledger.local/tool/billing")
                        .setMethod("GET").setPath("/invoices/1").setResponseStatus(200))
                .build();
        try (LedgerClient client = server.client(Optional.of(tool))) {
            AppendResponse response = client.append(call, false);
            LogEntry logged = LogEntries.parse(server.server.ledger().entry(response.getIndex()).orElseThrow());
            assertEquals("spiffe://agentledger.local/tool/billing", logged.getHeader().getCallerSpiffeId());
            assertEquals("/invoices/1", logged.getToolCallRecorded().getPath());
        }
        assertRefused(Set.of(Status.Code.PERMISSION_DENIED), Optional.of(tool), Function.identity());
    }

    @Test
    void anAgentMayNotAppendToolCallRecords() throws Exception {
        LogEntry call = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setMethod("GET").setPath("/forged")).build();
        assertRefused(Set.of(Status.Code.PERMISSION_DENIED), Optional.of(issue("agent/forger")), r -> r.toBuilder().setEntry(call).build());
    }

    @Test
    void oversizeEntriesAreInvalid() throws Exception {
        LogEntry big = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setPath("x".repeat(70_000)))
                .build();
        assertRefused(Set.of(Status.Code.INVALID_ARGUMENT), Optional.of(server.operator()), r -> r.toBuilder().setEntry(big).build());
    }

    /**
     * Over the private listener's 128 KiB limit the client refuses the call itself with
     * RESOURCE_EXHAUSTED (Helidon 4.5.0 would drop it without answering, "gRPC message size exceeds
     * max read buffer size"). Nothing is logged, and the connection still serves the next call.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60) // a refusal that is lost makes the call hang: fail instead
    void messagesOverTheTransportLimitAreRefusedAndChangeNothing() throws Exception {
        LogEntry huge = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setPath("x".repeat(ServerConfig.DEFAULT_MAX_MESSAGE_BYTES + 1)))
                .build();
        long before = server.treeSize();
        try (LedgerClient client = server.operatorClient()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .append(AppendRequest.newBuilder().setEntry(huge).build()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.getStatus().toString());
            assertEquals(before, server.treeSize());
            client.append(RunningServer.revocation("spiffe://agentledger.local/after-huge", "r"), false);
            assertEquals(before + 1, server.treeSize());
        }
    }

    @Test
    void malformedEntriesAreInvalid() throws Exception {
        LogEntry noEvent = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1)).build();
        LogEntry noHeader = RunningServer.revocation("spiffe://agentledger.local/c", "r").toBuilder().clearHeader().build();
        LogEntry schemaZero = RunningServer.revocation("spiffe://agentledger.local/c", "r").toBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(0)).build();
        for (Function<AppendRequest, AppendRequest> mutation : java.util.List.<Function<AppendRequest, AppendRequest>>of(
                r -> r.toBuilder().setEntry(noEvent).build(),
                r -> r.toBuilder().setEntry(noHeader).build(),
                r -> r.toBuilder().setEntry(schemaZero).build(),
                r -> r.toBuilder().clearEntry().build())) {
            assertRefused(Set.of(Status.Code.INVALID_ARGUMENT), Optional.of(server.operator()), mutation);
        }
    }

    @Test
    void readsBeyondTheTreeAreNotFoundAndContradictionsInvalid() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            client.append(RunningServer.revocation("spiffe://agentledger.local/d", "r"), false);
            long size = server.treeSize();
            StatusRuntimeException beyond = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .getInclusionProof(GetInclusionProofRequest.newBuilder().setIndex(size + 5).build()));
            assertEquals(Status.Code.NOT_FOUND, beyond.getStatus().getCode());
            StatusRuntimeException contradiction = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .getInclusionProof(GetInclusionProofRequest.newBuilder().setIndex(1).setTreeSize(1).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, contradiction.getStatus().getCode());
        }
    }

    /** A client identity issued by the server's own bootstrap CA. */
    private Credentials issue(String path) throws Exception {
        return dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(server.prepared.dir(),
                        server.prepared.passphrase().value(), InstantSource.system())
                .issueClient(SpiffeId.of(server.prepared.settings().trustDomain(), path));
    }

    /** Sends a (mutated) valid append as {@code who}; expects one of {@code codes} and an unchanged log. */
    private void assertRefused(Set<Status.Code> codes, Optional<Credentials> who, Function<AppendRequest, AppendRequest> mutation)
            throws Exception {
        long before = server.treeSize();
        AppendRequest request = mutation.apply(AppendRequest.newBuilder()
                .setEntry(RunningServer.revocation("spiffe://agentledger.local/refused", "r")).build());
        try (LedgerClient client = server.client(who)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> client.stub().append(request));
            assertTrue(codes.contains(e.getStatus().getCode()), "got " + e.getStatus() + ", want one of " + codes);
        }
        assertEquals(before, server.treeSize(), "a refused append changed the log");
        assertEquals(before, VerifiedInclusion.openCheckpoint(server.get("/checkpoint").body(), server.logVerifier()).size());
    }

    private static InclusionProof proof(dev.agentledger.proto.v1.InclusionProof p) throws Exception {
        return InclusionProof.parse(p.getIndex(), p.getTreeSize(), p.getHashesList().stream().map(b -> b.toByteArray()).toList());
    }
}
