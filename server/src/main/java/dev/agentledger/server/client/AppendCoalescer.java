package dev.agentledger.server.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.AppendBatchRequest;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.GetEntryRequest;
import dev.agentledger.proto.v1.GetEntryResponse;
import dev.agentledger.server.grpc.SharedProofNodes;
import dev.agentledger.server.grpc.Stamp;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Group commit on the client side: appends made concurrently through one client travel together
 * in {@code AppendBatch} messages. Whatever is waiting is sent as soon as fewer than {@value
 * #MAX_IN_FLIGHT} calls are in flight (at most {@value #MAX_ENTRIES} appends or {@value
 * #MAX_BYTES} bytes per message); only while every slot is taken do appends wait, and then they
 * leave together when the next call ends. So an idle or lightly loaded client adds no delay (a lone
 * append goes at once as a plain {@code Append}), and batches grow only under load.
 *
 * <p>Each caller gets exactly its own answer. The server refuses a batch whole when one entry is
 * bad (and logs none of it), so one caller's bad entry must not fail the others: an append whose
 * entry fails the local checks ({@link LogEntries#check}, or too big for a batch) is sent alone,
 * and when the server still refuses a batch (INVALID_ARGUMENT or PERMISSION_DENIED: nothing was
 * logged) each of its appends is sent again alone, so the refusal reaches only its own caller.
 * Any other failure (UNAVAILABLE, DEADLINE_EXCEEDED, ...) fails every caller of the batch with the
 * same status, as it would have failed each of their calls: the batch was committed all or none.
 *
 * <p>Batches ask for the answer's proof hashes once per batch ({@link SharedProofNodes}) and for
 * the batch's stamp instead of every logged entry ({@code omit_entries}); each caller still gets its
 * full inclusion proof and its entry's logged bytes, checked against its leaf hash.
 */
final class AppendCoalescer {
    /** The most appends in one batch message. */
    static final int MAX_ENTRIES = 1024;
    /**
     * The most request bytes in one batch message: well under the private listener's smallest
     * useful message limit, so a server configured below its default still takes the batches.
     */
    static final int MAX_BYTES = 32 * 1024;
    /**
     * The most calls outstanding at once on one client: below it, what waits is sent at once;
     * at it, appends wait for a call to end and then leave together.
     */
    static final int MAX_IN_FLIGHT = 2;
    /** Bytes of framing per append inside the batch message (tag and length). */
    private static final int FRAMING = 3;

    private final Function<AppendBatchRequest, ListenableFuture<AppendBatchResponse>> sendBatch;
    private final Function<AppendRequest, ListenableFuture<AppendResponse>> sendOne;
    private final Function<GetEntryRequest, ListenableFuture<GetEntryResponse>> getEntry;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int inFlight;
    /** Set when the server does not know AppendBatch (an older one): every append then goes alone. */
    private volatile boolean batchUnsupported;

    private record Waiting(AppendRequest request, int bytes, CompletableFuture<AppendResponse> result) {}

    /**
     * Coalesces appends sent through {@code sendBatch}, and through {@code sendOne} when alone.
     * Either function may throw (a refused request): that fails the calls it carried. {@code
     * getEntry} reads a logged entry whose bytes could not be rebuilt from its request (see
     * {@link #answer}).
     */
    AppendCoalescer(Function<AppendBatchRequest, ListenableFuture<AppendBatchResponse>> sendBatch,
            Function<AppendRequest, ListenableFuture<AppendResponse>> sendOne,
            Function<GetEntryRequest, ListenableFuture<GetEntryResponse>> getEntry) {
        this.sendBatch = sendBatch;
        this.sendOne = sendOne;
        this.getEntry = getEntry;
    }

    /** Queues {@code request}; the future completes with its own answer or fails with a gRPC status. */
    CompletableFuture<AppendResponse> append(AppendRequest request) {
        return appendAll(List.of(request)).getFirst();
    }

    /**
     * Queues {@code requests} together, so that they leave in as few batch messages as the limits
     * allow (a caller with many appends at hand need not rely on their arriving while the slots are
     * taken); one future per request, in order, as {@link #append}.
     */
    List<CompletableFuture<AppendResponse>> appendAll(List<AppendRequest> requests) {
        List<CompletableFuture<AppendResponse>> results = new ArrayList<>(requests.size());
        List<Waiting> queued = new ArrayList<>(requests.size());
        for (AppendRequest request : requests) {
            CompletableFuture<AppendResponse> result = new CompletableFuture<>();
            results.add(result);
            int bytes = request.getSerializedSize() + FRAMING;
            if (batchUnsupported || bytes > MAX_BYTES || !passesLocalChecks(request)) {
                sendAlone(request, result, () -> {});
            } else {
                queued.add(new Waiting(request, bytes, result));
            }
        }
        if (queued.isEmpty()) {
            return results;
        }
        List<List<Waiting>> ready;
        lock.lock();
        try {
            waiting.addAll(queued);
            ready = takeReady();
        } finally {
            lock.unlock();
        }
        ready.forEach(this::send);
        return results;
    }

    private static boolean passesLocalChecks(AppendRequest request) {
        if (!request.hasEntry()) {
            return false;
        }
        try {
            LogEntries.check(request.getEntry());
            return true;
        } catch (MalformedEntryException e) {
            return false;
        }
    }

    /** Every batch that may be sent now (see {@link #takeIfReady}). Requires the lock. */
    private List<List<Waiting>> takeReady() {
        List<Waiting> first = takeIfReady();
        if (first == null) {
            return List.of();
        }
        List<List<Waiting>> ready = new ArrayList<>(2);
        for (List<Waiting> next = first; next != null; next = takeIfReady()) {
            ready.add(next);
        }
        return ready;
    }

    /**
     * The next batch to send, counted as in flight, or null when nothing waits or every in-flight
     * slot is taken. Requires the lock.
     */
    private List<Waiting> takeIfReady() {
        if (waiting.isEmpty() || inFlight >= MAX_IN_FLIGHT) {
            return null;
        }
        List<Waiting> batch = new ArrayList<>(Math.min(waiting.size(), MAX_ENTRIES));
        int bytes = 0;
        while (!waiting.isEmpty() && batch.size() < MAX_ENTRIES && bytes + waiting.peek().bytes() <= MAX_BYTES) {
            Waiting w = waiting.poll();
            bytes += w.bytes();
            batch.add(w);
        }
        inFlight++;
        return batch;
    }

    /** Sends one batch taken by {@link #takeIfReady}: a single append as a plain {@code Append}. */
    private void send(List<Waiting> batch) {
        if (batch.size() == 1) {
            Waiting only = batch.getFirst();
            sendAlone(only.request(), only.result(), this::finished);
            return;
        }
        AppendBatchRequest.Builder request = AppendBatchRequest.newBuilder().setSharedProofNodes(true).setOmitEntries(true);
        batch.forEach(w -> request.addAppends(w.request()));
        call(() -> sendBatch.apply(request.build()), new FutureCallback<>() {
            @Override
            public void onSuccess(AppendBatchResponse response) {
                finished();
                answer(batch, response);
            }

            @Override
            public void onFailure(Throwable t) {
                finished();
                refused(batch, t);
            }
        });
    }

    /** Starts a call, turning a synchronous refusal into the callback's failure. */
    private static <T> void call(Supplier<ListenableFuture<T>> start, FutureCallback<T> callback) {
        ListenableFuture<T> future;
        try {
            future = start.get();
        } catch (RuntimeException e) {
            callback.onFailure(e);
            return;
        }
        Futures.addCallback(future, callback, MoreExecutors.directExecutor());
    }

    /** One call is done: frees its slot and sends what may go now, before its callers are answered. */
    private void finished() {
        List<List<Waiting>> next;
        lock.lock();
        try {
            inFlight--;
            next = takeReady();
        } finally {
            lock.unlock();
        }
        next.forEach(this::send);
    }

    /**
     * Answers each caller of a batch. An answer without its entry (the server honoured {@code
     * omit_entries}) gets the entry rebuilt from the caller's request and the batch's stamp, kept
     * only when it hashes to the answer's leaf hash; otherwise (the server serialized it otherwise,
     * for example a field its schema lacks) the logged bytes are read with {@code GetEntry} and
     * checked against the leaf hash the same way.
     */
    private void answer(List<Waiting> batch, AppendBatchResponse response) {
        List<AppendResponse> answers;
        try {
            answers = SharedProofNodes.unpack(response, batch.size());
        } catch (StatusException wrong) {
            StatusRuntimeException failure = wrong.getStatus().asRuntimeException();
            batch.forEach(w -> w.result().completeExceptionally(failure));
            return;
        }
        Stamp stamp = response.getCallerSpiffeId().isEmpty() ? null
                : new Stamp(response.getCallerSpiffeId(), response.getTimeUnixMillis());
        for (int i = 0; i < batch.size(); i++) {
            AppendResponse answer = answers.get(i);
            Waiting w = batch.get(i);
            if (!answer.getEntry().isEmpty()) {
                w.result().complete(answer);
                continue;
            }
            Hash leafHash;
            try {
                leafHash = Hash.parse(answer.getLeafHash().toByteArray());
            } catch (VerificationException e) {
                w.result().completeExceptionally(Status.INTERNAL.withDescription("append " + i + " of " + batch.size()
                        + ": the server's leaf hash: " + e.getMessage()).asRuntimeException());
                continue;
            }
            Optional<byte[]> rebuilt = stamp == null ? Optional.empty() : stamp.rebuild(w.request().getEntry(), leafHash);
            if (rebuilt.isPresent()) {
                w.result().complete(answer.toBuilder().setEntry(UnsafeByteOperations.unsafeWrap(rebuilt.get())).build());
            } else {
                readLogged(answer, leafHash, w.result());
            }
        }
    }

    /** Completes {@code result} with {@code answer} and its entry as logged, read back and checked against {@code leafHash}. */
    private void readLogged(AppendResponse answer, Hash leafHash, CompletableFuture<AppendResponse> result) {
        GetEntryRequest request = GetEntryRequest.newBuilder()
                .setIndex(answer.getIndex()).setTreeSize(answer.getInclusionProof().getTreeSize()).build();
        call(() -> getEntry.apply(request), new FutureCallback<>() {
            @Override
            public void onSuccess(GetEntryResponse logged) {
                if (Rfc6962.hashLeaf(logged.getEntry().toByteArray()).equals(leafHash)) {
                    result.complete(answer.toBuilder().setEntry(logged.getEntry()).build());
                } else {
                    result.completeExceptionally(Status.INTERNAL.withDescription("entry " + answer.getIndex()
                            + " as read back does not hash to the leaf hash its append was answered with").asRuntimeException());
                }
            }

            @Override
            public void onFailure(Throwable t) {
                result.completeExceptionally(t);
            }
        });
    }

    /** A failed batch: resend alone what one entry's refusal held back, fail the rest alike. */
    private void refused(List<Waiting> batch, Throwable t) {
        Status.Code code = Status.fromThrowable(t).getCode();
        if (code == Status.Code.UNIMPLEMENTED) {
            batchUnsupported = true;
        }
        if (code == Status.Code.UNIMPLEMENTED || code == Status.Code.INVALID_ARGUMENT || code == Status.Code.PERMISSION_DENIED) {
            // Nothing of the batch was logged: each append gets its own answer.
            batch.forEach(w -> sendAlone(w.request(), w.result(), () -> {}));
            return;
        }
        batch.forEach(w -> w.result().completeExceptionally(t));
    }

    /**
     * Sends one append by itself as a plain {@code Append}; when the call ends, {@code ended} runs
     * first (a coalesced call frees its in-flight slot there), then the caller is answered.
     */
    private void sendAlone(AppendRequest request, CompletableFuture<AppendResponse> result, Runnable ended) {
        call(() -> sendOne.apply(request), new FutureCallback<>() {
            @Override
            public void onSuccess(AppendResponse response) {
                ended.run();
                result.complete(response);
            }

            @Override
            public void onFailure(Throwable t) {
                ended.run();
                result.completeExceptionally(t);
            }
        });
    }
}
