package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.AppendBatchRequest;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import dev.agentledger.server.grpc.LedgerGrpcService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * AppendBatch over mTLS, and the client's coalescing of concurrent appends into it: every entry
 * answered with its own verifiable proof, a bad entry refusing the whole message (and nothing
 * else) on the wire, and only its own caller through the client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcAppendBatchTest {
    private RunningServer server;
    private dev.agentledger.server.bootstrap.CertificateAuthority ca;

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
    void aBatchIsAnsweredEntryByEntryInOneCheckpoint() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            AppendBatchResponse response = client.stub().appendBatch(batch(
                    RunningServer.revocation("spiffe://agentledger.local/b1", "b1"),
                    RunningServer.revocation("spiffe://agentledger.local/b2", "b2"),
                    RunningServer.revocation("spiffe://agentledger.local/b3", "b3")));
            assertEquals(3, response.getAppendsCount());
            long size = VerifiedInclusion.openCheckpoint(response.getCheckpoint().toByteArray(), server.logVerifier()).size();
            for (int i = 0; i < 3; i++) {
                AppendResponse a = response.getAppends(i);
                assertTrue(a.getCheckpoint().isEmpty(), "the checkpoint is sent once, for the whole batch");
                VerifiedInclusion verified = verify(a, response.getCheckpoint().toByteArray());
                assertEquals(size, verified.checkpoint().size());
                LogEntry logged = LogEntries.parse(server.server.ledger().entry(a.getIndex()).orElseThrow());
                assertEquals("b" + (i + 1), logged.getHeader().getRequestId());
                assertEquals(server.prepared.operatorId().value(), logged.getHeader().getCallerSpiffeId());
                if (i > 0) {
                    assertEquals(response.getAppends(i - 1).getIndex() + 1, a.getIndex());
                }
            }
        }
    }

    /** The shared proof table gives back exactly the proofs the log serves for those entries. */
    @Test
    void aBatchWithSharedProofNodesGivesTheLogsOwnProofs() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            AppendBatchRequest.Builder request = batch(
                    RunningServer.revocation("spiffe://agentledger.local/s1", "s1"),
                    RunningServer.revocation("spiffe://agentledger.local/s2", "s2"),
                    RunningServer.revocation("spiffe://agentledger.local/s3", "s3"),
                    RunningServer.revocation("spiffe://agentledger.local/s4", "s4")).toBuilder().setSharedProofNodes(true);
            AppendBatchResponse response = client.stub().appendBatch(request.build());
            int hashes = 0;
            for (AppendResponse a : response.getAppendsList()) {
                assertEquals(0, a.getInclusionProof().getHashesCount(), "the hashes travel in the table");
                hashes += a.getProofNodeRefsCount();
            }
            assertTrue(response.getProofNodesCount() < hashes, response.getProofNodesCount() + " distinct of " + hashes);
            for (AppendResponse a : dev.agentledger.server.grpc.SharedProofNodes.unpack(response, 4)) {
                verify(a, a.getCheckpoint().toByteArray());
                var served = client.stub().getInclusionProof(dev.agentledger.proto.v1.GetInclusionProofRequest.newBuilder()
                        .setIndex(a.getIndex()).setTreeSize(a.getInclusionProof().getTreeSize()).build());
                assertEquals(served.getProof(), a.getInclusionProof());
            }
        }
    }

    /** Without the echo, the batch's one stamp and each request's entry give exactly the logged bytes. */
    @Test
    void aBatchWithoutEntriesEchoedSendsTheStampThatRebuildsThem() throws Exception {
        try (LedgerClient client = server.operatorClient()) {
            AppendBatchRequest request = batch(
                    RunningServer.revocation("spiffe://agentledger.local/o1", "o1"),
                    RunningServer.revocation("spiffe://agentledger.local/o2", "o2")).toBuilder().setOmitEntries(true).build();
            AppendBatchResponse response = client.stub().appendBatch(request);
            assertEquals(server.prepared.operatorId().value(), response.getCallerSpiffeId());
            dev.agentledger.server.grpc.Stamp stamp = new dev.agentledger.server.grpc.Stamp(
                    response.getCallerSpiffeId(), response.getTimeUnixMillis());
            for (int i = 0; i < 2; i++) {
                AppendResponse a = response.getAppends(i);
                assertTrue(a.getEntry().isEmpty(), "the entry is not echoed");
                byte[] logged = server.server.ledger().entry(a.getIndex()).orElseThrow();
                assertArrayEquals(logged, stamp.logBytes(request.getAppends(i).getEntry()));
                assertArrayEquals(logged, stamp.rebuild(request.getAppends(i).getEntry(), Hash.parse(a.getLeafHash().toByteArray())).orElseThrow());
            }
        }
    }

    @Test
    void oneBadEntryRefusesTheWholeMessageNamingItAndLogsNothing() throws Exception {
        LogEntry noEvent = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1)).build();
        LogEntry oversize = LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setPath("x".repeat(70_000))).build();
        assertRefused(Status.Code.INVALID_ARGUMENT, "entry 1 of 3", server.operator(),
                batch(revocation("ok"), noEvent, revocation("ok too")));
        assertRefused(Status.Code.INVALID_ARGUMENT, "entry 0 of 2", server.operator(),
                batch(oversize, revocation("ok")));
        assertRefused(Status.Code.INVALID_ARGUMENT, "0 appends", server.operator(), AppendBatchRequest.getDefaultInstance());
        AppendBatchRequest.Builder tooMany = AppendBatchRequest.newBuilder();
        for (int i = 0; i <= LedgerGrpcService.MAX_BATCH_APPENDS; i++) {
            tooMany.addAppends(AppendRequest.newBuilder().setEntry(LogEntry.newBuilder()
                    .setHeader(Header.newBuilder().setSchemaVersion(1))
                    .setRevoked(dev.agentledger.proto.v1.Revoked.getDefaultInstance())));
        }
        assertRefused(Status.Code.INVALID_ARGUMENT, (LedgerGrpcService.MAX_BATCH_APPENDS + 1) + " appends", server.operator(), tooMany.build());
    }

    @Test
    void authorizationIsPerEntry() throws Exception {
        Credentials tool = issue("tool/batch-billing");
        try (LedgerClient client = server.client(Optional.of(tool))) {
            AppendBatchResponse ok = client.stub().appendBatch(batch(toolCall("/a"), toolCall("/b")));
            assertEquals(2, ok.getAppendsCount());
        }
        assertRefused(Status.Code.PERMISSION_DENIED, "entry 1 of 2", tool, batch(toolCall("/c"), revocation("not a tool call")));
        assertRefused(Status.Code.PERMISSION_DENIED, "entry 0 of 1", issue("agent/batch-stranger"), batch(revocation("x")));
    }

    /** Many threads append through one client at once: batched, yet each gets its own exact answer. */
    @Test
    void concurrentAppendsThroughTheClientGetTheirOwnVerifiableProofs() throws Exception {
        int threads = 48;
        int each = 10;
        long before = server.treeSize();
        try (LedgerClient client = server.operatorClient()) {
            List<List<AppendResponse>> answers = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<AppendResponse> mine = new ArrayList<>();
                answers.add(mine);
                int thread = t;
                submitters.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < each; i++) {
                        mine.add(client.append(revocation("t" + thread + "-" + i), false));
                    }
                }));
            }
            for (Thread s : submitters) {
                s.join();
            }
            Set<Long> indexes = new HashSet<>();
            for (int t = 0; t < threads; t++) {
                assertEquals(each, answers.get(t).size());
                for (int i = 0; i < each; i++) {
                    AppendResponse a = answers.get(t).get(i);
                    verify(a, a.getCheckpoint().toByteArray());
                    assertEquals("t" + t + "-" + i, LogEntries.parse(a.getEntry().toByteArray()).getHeader().getRequestId(),
                            "the answer is for this caller's own entry");
                    assertEquals(com.google.protobuf.ByteString.copyFrom(server.server.ledger().entry(a.getIndex()).orElseThrow()),
                            a.getEntry(), "the entry as logged (rebuilt by the client from its request and the batch's stamp)");
                    assertTrue(indexes.add(a.getIndex()));
                }
            }
            assertEquals(before + threads * each, server.treeSize());
        }
    }

    /**
     * A tool appends its tool-call records from many threads through one client, and one thread
     * also sends an entry a tool may not append, and one a malformed entry: those two callers are
     * refused, every other append is logged, whatever batches they shared.
     */
    @Test
    void aRefusedEntryInACoalescedBatchFailsOnlyItsOwnCaller() throws Exception {
        Credentials tool = issue("tool/batch-recorder");
        int threads = 32;
        long before = server.treeSize();
        LogEntry malformed = toolCall("/schema-zero").toBuilder().setHeader(Header.newBuilder().setSchemaVersion(0)).build();
        try (LedgerClient client = server.client(Optional.of(tool))) {
            for (int round = 0; round < 3; round++) {
                List<CompletableFuture<AppendResponse>> good = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    good.add(client.appendAsync(toolCall("/round" + round + "/" + t), false));
                }
                CompletableFuture<AppendResponse> denied = client.appendAsync(revocation("forged"), false);
                CompletableFuture<AppendResponse> invalid = client.appendAsync(malformed, false);
                for (int t = 0; t < threads; t++) {
                    good.add(client.appendAsync(toolCall("/round" + round + "/late" + t), false));
                }
                for (CompletableFuture<AppendResponse> g : good) {
                    AppendResponse a = g.get();
                    verify(a, a.getCheckpoint().toByteArray());
                }
                assertStatus(Status.Code.PERMISSION_DENIED, denied);
                assertStatus(Status.Code.INVALID_ARGUMENT, invalid);
            }
        }
        assertEquals(before + 3 * 2 * threads, server.treeSize());
    }

    private static void assertStatus(Status.Code code, CompletableFuture<AppendResponse> result) {
        ExecutionException e = assertThrows(ExecutionException.class, result::get);
        assertEquals(code, Status.fromThrowable(e.getCause()).getCode(), e.getCause().toString());
    }

    private void assertRefused(Status.Code code, String naming, Credentials who, AppendBatchRequest request) throws Exception {
        long before = server.treeSize();
        try (LedgerClient client = server.client(Optional.of(who))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.stub().appendBatch(request));
            assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().contains(naming), e.getStatus().getDescription());
        }
        assertEquals(before, server.treeSize(), "a refused batch changed the log");
    }

    private VerifiedInclusion verify(AppendResponse a, byte[] checkpoint) throws Exception {
        VerifiedInclusion verified = VerifiedInclusion.verify(a.getEntry().toByteArray(), Hash.parse(a.getLeafHash().toByteArray()),
                checkpoint, proof(a.getInclusionProof()), server.logVerifier());
        assertEquals(a.getIndex(), verified.index());
        return verified;
    }

    private static AppendBatchRequest batch(LogEntry... entries) {
        AppendBatchRequest.Builder b = AppendBatchRequest.newBuilder();
        for (LogEntry e : entries) {
            b.addAppends(AppendRequest.newBuilder().setEntry(e));
        }
        return b.build();
    }

    private static LogEntry revocation(String requestId) {
        return RunningServer.revocation("spiffe://agentledger.local/batch/" + requestId, requestId);
    }

    private static LogEntry toolCall(String path) {
        return LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))
                .setToolCallRecorded(ToolCallRecorded.newBuilder().setMethod("GET").setPath(path).setResponseStatus(200))
                .build();
    }

    /** A client identity issued by the server's own bootstrap CA (opened once: its key is encrypted). */
    private Credentials issue(String path) throws Exception {
        if (ca == null) {
            ca = dev.agentledger.server.bootstrap.Bootstrap.certificateAuthority(server.prepared.dir(),
                    server.prepared.passphrase().value(), InstantSource.system());
        }
        return ca.issueClient(SpiffeId.of(server.prepared.settings().trustDomain(), path));
    }

    private static InclusionProof proof(dev.agentledger.proto.v1.InclusionProof p) throws Exception {
        return InclusionProof.parse(p.getIndex(), p.getTreeSize(), p.getHashesList().stream().map(b -> b.toByteArray()).toList());
    }
}
