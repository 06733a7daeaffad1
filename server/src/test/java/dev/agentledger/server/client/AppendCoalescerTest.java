package dev.agentledger.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.agentledger.proto.v1.AppendBatchRequest;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
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
            });

    @Test
    void aLoneAppendGoesAtOnceAndTheNextOnesWaitForItAsOneBatch() throws Exception {
        CompletableFuture<AppendResponse> first = coalescer.append(request("first"));
        assertEquals(1, singles.size(), "nothing in flight: sent alone at once");
        List<CompletableFuture<AppendResponse>> next = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            next.add(coalescer.append(request("next " + i)));
        }
        assertTrue(batches.isEmpty(), "one call in flight: the next ones wait");
        singleCalls.getFirst().set(answer(0, "first"));
        assertEquals(0, first.get().getIndex());
        assertEquals(1, batches.size());
        assertEquals(5, batches.getFirst().getAppendsCount());
        batchCalls.getFirst().set(batchAnswer(1, 5));
        for (int i = 0; i < 5; i++) {
            AppendResponse r = next.get(i).get();
            assertEquals(1 + i, r.getIndex(), "each caller gets its own answer, in order");
            assertEquals(ByteString.copyFromUtf8("checkpoint"), r.getCheckpoint(), "the batch's checkpoint is filled in");
        }
    }

    @Test
    void aFullBatchGoesWithoutWaitingUpToTheInFlightLimit() {
        coalescer.append(request("in flight"));
        for (int i = 0; i < AppendCoalescer.MAX_ENTRIES * (AppendCoalescer.MAX_IN_FLIGHT + 1); i++) {
            coalescer.append(request("e" + i));
        }
        assertEquals(AppendCoalescer.MAX_IN_FLIGHT - 1, batches.size(), "the in-flight limit counts the lone call");
        batches.forEach(b -> assertTrue(b.getAppendsCount() <= AppendCoalescer.MAX_ENTRIES
                && b.getSerializedSize() <= AppendCoalescer.MAX_BYTES
                && b.getSerializedSize() > AppendCoalescer.MAX_BYTES / 2, "a full batch goes: " + b.getAppendsCount()));
    }

    @Test
    void aBatchIsBoundedByBytes() {
        coalescer.append(request("in flight"));
        String big = "x".repeat(4000);
        for (int i = 0; i < 20; i++) {
            coalescer.append(request(big + i));
        }
        singleCalls.getFirst().set(answer(0, "in flight"));
        long index = 1;
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
        coalescer.append(request("in flight"));
        CompletableFuture<AppendResponse> good = coalescer.append(request("good"));
        AppendRequest noEvent = AppendRequest.newBuilder()
                .setEntry(LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1))).build();
        CompletableFuture<AppendResponse> bad = coalescer.append(noEvent);
        assertEquals(2, singles.size(), "the bad entry went alone, at once");
        assertSame(noEvent, singles.get(1));
        singleCalls.get(1).setException(Status.INVALID_ARGUMENT.withDescription("no event").asRuntimeException());
        assertStatus(Status.Code.INVALID_ARGUMENT, bad);
        assertFalse(good.isDone());
    }

    @Test
    void aBatchRefusedForOneEntryIsResentAloneSoEachCallerGetsItsOwnAnswer() throws Exception {
        coalescer.append(request("in flight"));
        CompletableFuture<AppendResponse> a = coalescer.append(request("a"));
        CompletableFuture<AppendResponse> b = coalescer.append(request("b"));
        singleCalls.getFirst().set(answer(0, "in flight"));
        batchCalls.getFirst().setException(Status.PERMISSION_DENIED.withDescription("entry 1 of 2: no").asRuntimeException());
        assertEquals(List.of("a", "b"), singles.subList(1, 3).stream().map(r -> r.getEntry().getHeader().getRequestId()).toList());
        singleCalls.get(1).set(answer(1, "a"));
        singleCalls.get(2).setException(Status.PERMISSION_DENIED.withDescription("no").asRuntimeException());
        assertEquals(1, a.get().getIndex());
        assertStatus(Status.Code.PERMISSION_DENIED, b);
    }

    @Test
    void anUnavailableBatchFailsEveryCallerAlikeAndIsNotResent() throws Exception {
        coalescer.append(request("in flight"));
        CompletableFuture<AppendResponse> a = coalescer.append(request("a"));
        CompletableFuture<AppendResponse> b = coalescer.append(request("b"));
        singleCalls.getFirst().set(answer(0, "in flight"));
        batchCalls.getFirst().setException(Status.UNAVAILABLE.withDescription("disk full").asRuntimeException());
        assertStatus(Status.Code.UNAVAILABLE, a);
        assertStatus(Status.Code.UNAVAILABLE, b);
        assertEquals(1, singles.size());
    }

    @Test
    void aServerWithoutAppendBatchGetsEveryAppendAlone() throws Exception {
        coalescer.append(request("in flight"));
        CompletableFuture<AppendResponse> a = coalescer.append(request("a"));
        coalescer.append(request("b"));
        singleCalls.getFirst().set(answer(0, "in flight"));
        batchCalls.getFirst().setException(Status.UNIMPLEMENTED.asRuntimeException());
        assertEquals(3, singles.size());
        singleCalls.get(1).set(answer(7, "a"));
        assertEquals(7, a.get().getIndex());
        coalescer.append(request("c"));
        coalescer.append(request("d"));
        assertEquals(5, singles.size(), "no more batches once the server said it has none");
        assertEquals(1, batches.size());
    }

    @Test
    void aWrongCountOfAnswersFailsTheBatch() throws Exception {
        coalescer.append(request("in flight"));
        CompletableFuture<AppendResponse> a = coalescer.append(request("a"));
        coalescer.append(request("b"));
        singleCalls.getFirst().set(answer(0, "in flight"));
        batchCalls.getFirst().set(batchAnswer(1, 1));
        assertStatus(Status.Code.INTERNAL, a);
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

    private static AppendBatchResponse batchAnswer(long first, int count) {
        AppendBatchResponse.Builder b = AppendBatchResponse.newBuilder().setCheckpoint(ByteString.copyFromUtf8("checkpoint"));
        for (int i = 0; i < count; i++) {
            b.addAppends(AppendResponse.newBuilder().setIndex(first + i));
        }
        return b.build();
    }
}
