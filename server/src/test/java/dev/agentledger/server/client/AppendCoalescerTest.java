package dev.agentledger.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.server.grpc.Stamp;
import dev.agentledger.proto.v1.AppendBatchRequest;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.GetEntryRequest;
import dev.agentledger.proto.v1.GetEntryResponse;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The client's batching decisions, driven call by call: the two send functions record what would
 * go on the wire and leave each call pending until the test answers it, as a server would.
 */
class AppendCoalescerTest {
    private final List<AppendBatchRequest> batches = new ArrayList<>();
    private final List<SettableFuture<AppendBatchResponse>> batchCalls = new ArrayList<>();
    private final List<AppendRequest> singles = new ArrayList<>();
    private final List<SettableFuture<AppendResponse>> singleCalls = new ArrayList<>();
    private final List<GetEntryRequest> reads = new ArrayList<>();
    private final List<SettableFuture<GetEntryResponse>> readCalls = new ArrayList<>();
    private final AppendCoalescer coalescer = new AppendCoalescer(
            batch -> {
                batches.add(batch);
                SettableFuture<AppendBatchResponse> call = SettableFuture.create();
                batchCalls.add(call);
                return call;
            },
            one -> {
                singles.add(one);
                SettableFuture<AppendResponse> call = SettableFuture.create();
                singleCalls.add(call);
                return call;
            },
            read -> {
                reads.add(read);
                SettableFuture<GetEntryResponse> call = SettableFuture.create();
                readCalls.add(call);
                return call;
            });

    @Test
    void appendsGoAtOnceWhileASlotIsFreeAndTheNextOnesWaitForOneAsOneBatch() throws Exception {
        List<CompletableFuture<AppendResponse>> lone = new ArrayList<>();
        for (int i = 0; i < AppendCoalescer.MAX_IN_FLIGHT; i++) {
            lone.add(coalescer.append(request("lone " + i)));
            assertEquals(i + 1, singles.size(), "a free slot: sent alone at once");
        }
        List<CompletableFuture<AppendResponse>> next = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            next.add(coalescer.append(request("next " + i)));
        }
        assertTrue(batches.isEmpty(), "every slot taken: the next ones wait");
        assertEquals(AppendCoalescer.MAX_IN_FLIGHT, singles.size());
        singleCalls.getFirst().set(answer(0, "lone 0"));
        assertEquals(0, lone.getFirst().get().getIndex());
        assertEquals(1, batches.size(), "a slot freed: everything waiting leaves together");
        assertEquals(5, batches.getFirst().getAppendsCount());
        assertTrue(batches.getFirst().getSharedProofNodes(), "a batch asks for its proof hashes once");
        batchCalls.getFirst().set(batchAnswer(1, 5));
        for (int i = 0; i < 5; i++) {
            AppendResponse r = next.get(i).get();
            assertEquals(1 + i, r.getIndex(), "each caller gets its own answer, in order");
            assertEquals(ByteString.copyFromUtf8("checkpoint"), r.getCheckpoint(), "the batch's checkpoint is filled in");
        }
    }

    @Test
    void appendsQueuedTogetherLeaveAsOneBatchEvenWithSlotsFree() throws Exception {
        List<AppendRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(request("together " + i));
        }
        List<CompletableFuture<AppendResponse>> results = coalescer.appendAll(requests);
        assertTrue(singles.isEmpty(), "queued together, none goes alone");
        assertEquals(1, batches.size());
        assertEquals(5, batches.getFirst().getAppendsCount());
        assertEquals(requests, batches.getFirst().getAppendsList(), "in the order given");
        batchCalls.getFirst().set(batchAnswer(7, 5));
        for (int i = 0; i < 5; i++) {
            assertEquals(7 + i, results.get(i).get().getIndex(), "one future per request, in order");
        }
        coalescer.appendAll(List.of(request("alone")));
        assertEquals(1, singles.size(), "one request queued alone is a plain Append");
    }

    @Test
    void aFullBatchWaitsForASlotAndTheRestFollowsInTheNext() {
        fillSlots();
        for (int i = 0; i < AppendCoalescer.MAX_ENTRIES + 10; i++) {
            coalescer.append(request("e" + i));
        }
        assertTrue(batches.isEmpty(), "no slot free: even a full batch waits");
        singleCalls.getFirst().set(answer(0, "in flight"));
        assertEquals(1, batches.size());
        AppendBatchRequest first = batches.getFirst();
        assertTrue(first.getAppendsCount() <= AppendCoalescer.MAX_ENTRIES && first.getSerializedSize() <= AppendCoalescer.MAX_BYTES
                && first.getSerializedSize() > AppendCoalescer.MAX_BYTES / 2, "a full batch: " + first.getAppendsCount());
        singleCalls.get(1).set(answer(1, "in flight"));
        assertEquals(2, batches.size(), "the next slot takes the rest");
        assertEquals(AppendCoalescer.MAX_ENTRIES + 10, batches.stream().mapToInt(AppendBatchRequest::getAppendsCount).sum());
    }

    @Test
    void aBatchIsBoundedByBytes() {
        fillSlots();
        String big = "x".repeat(4000);
        for (int i = 0; i < 20; i++) {
            coalescer.append(request(big + i));
        }
        for (int i = 0; i < AppendCoalescer.MAX_IN_FLIGHT; i++) {
            singleCalls.get(i).set(answer(i, "in flight"));
        }
        long index = AppendCoalescer.MAX_IN_FLIGHT;
        for (int done = 0; done < batchCalls.size(); done++) { // answering a batch may send the next
            int count = batches.get(done).getAppendsCount();
            batchCalls.get(done).set(batchAnswer(index, count));
            index += count;
        }
        assertTrue(batches.size() >= 3, "20 entries of 4 KB need at least 3 batches of 32 KiB");
        for (AppendBatchRequest b : batches) {
            assertTrue(b.getSerializedSize() <= AppendCoalescer.MAX_BYTES, b.getSerializedSize() + " bytes");
        }
        assertEquals(20, batches.stream().mapToInt(AppendBatchRequest::getAppendsCount).sum());
    }

    @Test
    void anEntryThatFailsTheLocalChecksIsSentAloneAndFailsOnlyItsCaller() throws Exception {
        fillSlots();
        CompletableFuture<AppendResponse> good = coalescer.append(request("good"));
        AppendRequest noEvent = AppendRequest.newBuilder()
                .setEntry(LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))).build();
        CompletableFuture<AppendResponse> bad = coalescer.append(noEvent);
        int alone = AppendCoalescer.MAX_IN_FLIGHT;
        assertEquals(alone + 1, singles.size(), "the bad entry went alone, at once");
        assertSame(noEvent, singles.get(alone));
        singleCalls.get(alone).setException(Status.INVALID_ARGUMENT.withDescription("no event").asRuntimeException());
        assertStatus(Status.Code.INVALID_ARGUMENT, bad);
        assertFalse(good.isDone());
    }

    @Test
    void aBatchRefusedForOneEntryIsResentAloneSoEachCallerGetsItsOwnAnswer() throws Exception {
        List<CompletableFuture<AppendResponse>> ab = abBatched();
        CompletableFuture<AppendResponse> a = ab.get(0);
        CompletableFuture<AppendResponse> b = ab.get(1);
        batchCalls.getFirst().setException(Status.PERMISSION_DENIED.withDescription("entry 1 of 2: no").asRuntimeException());
        int alone = AppendCoalescer.MAX_IN_FLIGHT;
        assertEquals(List.of("a", "b"), singles.subList(alone, alone + 2).stream().map(r -> r.getEntry().getHeader().getRequestId()).toList());
        singleCalls.get(alone).set(answer(1, "a"));
        singleCalls.get(alone + 1).setException(Status.PERMISSION_DENIED.withDescription("no").asRuntimeException());
        assertEquals(1, a.get().getIndex());
        assertStatus(Status.Code.PERMISSION_DENIED, b);
    }

    @Test
    void anUnavailableBatchFailsEveryCallerAlikeAndIsNotResent() throws Exception {
        List<CompletableFuture<AppendResponse>> ab = abBatched();
        CompletableFuture<AppendResponse> a = ab.get(0);
        CompletableFuture<AppendResponse> b = ab.get(1);
        batchCalls.getFirst().setException(Status.UNAVAILABLE.withDescription("disk full").asRuntimeException());
        assertStatus(Status.Code.UNAVAILABLE, a);
        assertStatus(Status.Code.UNAVAILABLE, b);
        assertEquals(AppendCoalescer.MAX_IN_FLIGHT, singles.size(), "nothing was sent again");
    }

    @Test
    void aServerWithoutAppendBatchGetsEveryAppendAlone() throws Exception {
        CompletableFuture<AppendResponse> a = abBatched().getFirst();
        batchCalls.getFirst().setException(Status.UNIMPLEMENTED.asRuntimeException());
        int alone = AppendCoalescer.MAX_IN_FLIGHT;
        assertEquals(alone + 2, singles.size());
        singleCalls.get(alone).set(answer(7, "a"));
        assertEquals(7, a.get().getIndex());
        coalescer.append(request("c"));
        coalescer.append(request("d"));
        assertEquals(alone + 4, singles.size(), "no more batches once the server said it has none");
        assertEquals(1, batches.size());
    }

    @Test
    void aWrongCountOfAnswersFailsTheBatch() throws Exception {
        CompletableFuture<AppendResponse> a = abBatched().getFirst();
        batchCalls.getFirst().set(batchAnswer(1, 1));
        assertStatus(Status.Code.INTERNAL, a);
    }

    /** Takes every in-flight slot with a lone append, each left pending. */
    /**
     * Appends "a" and "b" while every slot is in flight, then answers the first call in flight, so
     * the two go together as the first batch; their futures, in order.
     */
    private List<CompletableFuture<AppendResponse>> abBatched() {
        fillSlots();
        List<CompletableFuture<AppendResponse>> ab = List.of(coalescer.append(request("a")), coalescer.append(request("b")));
        singleCalls.getFirst().set(answer(0, "in flight"));
        return ab;
    }

    private void fillSlots() {
        for (int i = 0; i < AppendCoalescer.MAX_IN_FLIGHT; i++) {
            coalescer.append(request("in flight"));
        }
        assertEquals(AppendCoalescer.MAX_IN_FLIGHT, singles.size());
    }

    private static void assertStatus(Status.Code code, CompletableFuture<AppendResponse> result) {
        ExecutionException e = assertThrows(ExecutionException.class, result::get);
        assertEquals(code, assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode());
    }

    private static AppendRequest request(String requestId) {
        return AppendRequest.newBuilder().setEntry(LogEntry.newBuilder()
                .setHeader(Header.newBuilder().setSchemaVersion(1).setRequestId(requestId))
                .setRevoked(Revoked.newBuilder().setSpiffeId("spiffe://agentledger.local/x"))).build();
    }

    private static AppendResponse answer(long index, String requestId) {
        return AppendResponse.newBuilder().setIndex(index).setEntry(ByteString.copyFromUtf8(requestId)).build();
    }

    /** A batch answer that echoes each entry (a server before {@code omit_entries}). */
    private static AppendBatchResponse batchAnswer(long first, int count) {
        AppendBatchResponse.Builder b = AppendBatchResponse.newBuilder().setCheckpoint(ByteString.copyFromUtf8("checkpoint"));
        for (int i = 0; i < count; i++) {
            b.addAppends(AppendResponse.newBuilder().setIndex(first + i).setEntry(ByteString.copyFromUtf8("logged " + (first + i))));
        }
        return b.build();
    }

    private static final Stamp STAMP = new Stamp("spiffe://agentledger.local/operator", 1_700_000_000_000L);

    /** The answer of a server that honours {@code omit_entries}: the stamp once, no entry echoed, leaf hashes given. */
    private static AppendBatchResponse stampedAnswer(long first, List<Hash> leafHashes) {
        AppendBatchResponse.Builder b = AppendBatchResponse.newBuilder().setCheckpoint(ByteString.copyFromUtf8("checkpoint"))
                .setCallerSpiffeId(STAMP.callerSpiffeId()).setTimeUnixMillis(STAMP.timeUnixMillis());
        for (int i = 0; i < leafHashes.size(); i++) {
            b.addAppends(AppendResponse.newBuilder().setIndex(first + i).setLeafHash(ByteString.copyFrom(leafHashes.get(i).toByteArray()))
                    .setInclusionProof(dev.agentledger.proto.v1.InclusionProof.newBuilder().setIndex(first + i).setTreeSize(first + leafHashes.size())));
        }
        return b.build();
    }

    @Test
    void aBatchAnswerWithoutEntriesGetsEachEntryRebuiltFromItsRequestAndTheStamp() throws Exception {
        List<CompletableFuture<AppendResponse>> ab = abBatched();
        CompletableFuture<AppendResponse> a = ab.get(0);
        CompletableFuture<AppendResponse> b = ab.get(1);
        assertTrue(batches.getFirst().getOmitEntries(), "a batch asks for the stamp instead of the entries");
        byte[] loggedA = STAMP.logBytes(request("a").getEntry());
        byte[] loggedB = STAMP.logBytes(request("b").getEntry());
        batchCalls.getFirst().set(stampedAnswer(1, List.of(Rfc6962.hashLeaf(loggedA), Rfc6962.hashLeaf(loggedB))));
        assertEquals(ByteString.copyFrom(loggedA), a.get().getEntry(), "the logged bytes: the request's entry with the stamp");
        assertEquals(ByteString.copyFrom(loggedB), b.get().getEntry());
        assertTrue(reads.isEmpty(), "rebuilt entries that match their leaf hash are not read back");
        // The stamped header is what the rebuilt bytes hold.
        Header header = LogEntry.parseFrom(a.get().getEntry()).getHeader();
        assertEquals(STAMP.callerSpiffeId(), header.getCallerSpiffeId());
        assertEquals(STAMP.timeUnixMillis(), header.getTimeUnixMillis());
    }

    @Test
    void anEntryThatDoesNotRebuildToItsLeafHashIsReadBackAndChecked() throws Exception {
        List<CompletableFuture<AppendResponse>> ab = abBatched();
        CompletableFuture<AppendResponse> a = ab.get(0);
        CompletableFuture<AppendResponse> b = ab.get(1);
        // The server logged other bytes for both (as if it serialized a field its schema lacks elsewhere).
        byte[] otherA = "logged otherwise a".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] otherB = "logged otherwise b".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        batchCalls.getFirst().set(stampedAnswer(1, List.of(Rfc6962.hashLeaf(otherA), Rfc6962.hashLeaf(otherB))));
        assertFalse(a.isDone(), "not answered before the logged bytes are read");
        assertEquals(List.of(1L, 2L), reads.stream().map(GetEntryRequest::getIndex).toList());
        assertEquals(3, reads.getFirst().getTreeSize(), "read at the tree size of the answer's proof");
        readCalls.get(0).set(GetEntryResponse.newBuilder().setEntry(ByteString.copyFrom(otherA)).build());
        assertEquals(ByteString.copyFrom(otherA), a.get().getEntry(), "the bytes read back match the leaf hash: kept");
        readCalls.get(1).set(GetEntryResponse.newBuilder().setEntry(ByteString.copyFrom(otherA)).build());
        assertStatus(Status.Code.INTERNAL, b);
    }

    @Test
    void aLeafHashOfTheWrongSizeFailsOnlyItsOwnCaller() throws Exception {
        List<CompletableFuture<AppendResponse>> ab = abBatched();
        CompletableFuture<AppendResponse> a = ab.get(0);
        CompletableFuture<AppendResponse> b = ab.get(1);
        byte[] loggedB = STAMP.logBytes(request("b").getEntry());
        AppendBatchResponse answer = stampedAnswer(1, List.of(Rfc6962.hashLeaf(loggedB), Rfc6962.hashLeaf(loggedB)));
        answer = answer.toBuilder().setAppends(0, answer.getAppends(0).toBuilder().setLeafHash(ByteString.copyFromUtf8("short"))).build();
        batchCalls.getFirst().set(answer);
        assertStatus(Status.Code.INTERNAL, a);
        assertEquals(ByteString.copyFrom(loggedB), b.get().getEntry());
    }
}
