package dev.agentledger.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.AppendBatchRequest;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendRequest;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.GetCheckpointRequest;
import dev.agentledger.proto.v1.GetCheckpointResponse;
import dev.agentledger.proto.v1.GetConsistencyProofRequest;
import dev.agentledger.proto.v1.GetConsistencyProofResponse;
import dev.agentledger.proto.v1.GetEntryRequest;
import dev.agentledger.proto.v1.GetEntryResponse;
import dev.agentledger.proto.v1.GetInclusionProofRequest;
import dev.agentledger.proto.v1.GetInclusionProofResponse;
import dev.agentledger.proto.v1.InclusionProof;
import dev.agentledger.proto.v1.LedgerServiceGrpc;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.auth.Role;
import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.log.LogReads;
import dev.agentledger.server.log.ProvenEntry;
import io.grpc.stub.StreamObserver;
import java.security.cert.Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The {@code agentledger.v1.LedgerService} of the private listener. Append authenticates the
 * caller from its verified client certificate, checks it is an allowed appender (or a tool, role
 * {@code tool}, appending a {@code ToolCallRecorded} entry: the action proxy's records, and
 * nothing else), stamps the
 * entry's header with that identity and the server's time (whatever the request claimed), checks
 * and deterministically serializes the entry, and answers once it is durable in a signed
 * checkpoint. AppendBatch does the same for many entries at once, all or nothing, answered in one
 * checkpoint, with one stamp for the batch (and, when asked, the stamp instead of the entries
 * echoed: {@code omit_entries}). Failures become gRPC status in {@link GrpcErrors} only.
 *
 * <p>Handlers block on the ledger's future: Helidon runs each call on its own virtual thread.
 */
public final class LedgerGrpcService extends LedgerServiceGrpc.LedgerServiceImplBase {
    private final Ledger ledger;
    private final LogReads reads;
    private final Appenders appenders;
    private final Roles roles;
    private final InstantSource clock;
    private final Supplier<Optional<Certificate[]>> peerCertificates;

    /**
     * A service over {@code ledger}.
     *
     * @param roles who holds role {@code tool} (tools may append their tool-call records only)
     * @param peerCertificates the verified client certificate chain of the current call (see
     *     {@link PeerCertificates#helidon()})
     */
    public LedgerGrpcService(Ledger ledger, Appenders appenders, Roles roles, InstantSource clock,
            Supplier<Optional<Certificate[]>> peerCertificates) {
        this.ledger = ledger;
        this.reads = new LogReads(ledger);
        this.appenders = appenders;
        this.roles = roles;
        this.clock = clock;
        this.peerCertificates = peerCertificates;
    }

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> out) {
        Unary.respond(out, () -> {
            SpiffeId caller = CallerIdentity.of(peerCertificates.get());
            if (!isToolCallRecord(request, caller)) {
                appenders.check(caller);
            }
            byte[] entry = stamp(request, new Stamp(caller.value(), clock.millis()));
            Appended appended = await(ledger, entry, request.getDedupe());
            return answer(appended)
                    .setEntry(UnsafeByteOperations.unsafeWrap(entry))
                    .setCheckpoint(UnsafeByteOperations.unsafeWrap(appended.checkpoint().noteBytes()))
                    .setInclusionProof(ProtoProofs.inclusion(appended.proof()))
                    .build();
        });
    }

    /** The most appends one {@code AppendBatch} message may carry ({@code ledger_service.proto}). */
    public static final int MAX_BATCH_APPENDS = 4096;

    @Override
    public void appendBatch(AppendBatchRequest request, StreamObserver<AppendBatchResponse> out) {
        Unary.respond(out, () -> {
            SpiffeId caller = CallerIdentity.of(peerCertificates.get());
            int count = request.getAppendsCount();
            if (count == 0 || count > MAX_BATCH_APPENDS) {
                throw new MalformedEntryException("a batch carries " + count + " appends, want 1 to " + MAX_BATCH_APPENDS);
            }
            // Every entry is authorized and checked before any is handed to the log: one refusal
            // refuses the whole message, and nothing is logged.
            List<byte[]> entries = new ArrayList<>(count);
            boolean[] dedupe = new boolean[count];
            boolean appender = isAppender(caller);
            // One stamp for the whole batch: the client that asked for omit_entries rebuilds every
            // logged entry from its request and this stamp.
            Stamp stamp = new Stamp(caller.value(), clock.millis());
            for (int i = 0; i < count; i++) {
                AppendRequest append = request.getAppends(i);
                try {
                    if (!appender && !isToolCallRecord(append, caller)) {
                        appenders.check(caller);
                    }
                    entries.add(stamp(append, stamp));
                } catch (PermissionDeniedException e) {
                    throw new PermissionDeniedException(entryLabel(i, count) + e.getMessage());
                } catch (MalformedEntryException e) {
                    throw new MalformedEntryException(entryLabel(i, count) + e.getMessage(), e);
                }
                dedupe[i] = append.getDedupe();
            }
            List<Appended> appended = awaitAll(ledger.appendAll(entries, dedupe));
            AppendBatchResponse.Builder response = AppendBatchResponse.newBuilder()
                    .setCheckpoint(UnsafeByteOperations.unsafeWrap(appended.getFirst().checkpoint().noteBytes()));
            SharedProofNodes shared = request.getSharedProofNodes() ? new SharedProofNodes() : null;
            boolean omitEntries = request.getOmitEntries();
            if (omitEntries) {
                response.setCallerSpiffeId(stamp.callerSpiffeId()).setTimeUnixMillis(stamp.timeUnixMillis());
            }
            for (int i = 0; i < count; i++) {
                Appended a = appended.get(i);
                // A deduplicated entry's logged bytes are an earlier append's: always echoed.
                AppendResponse.Builder answer = omitEntries && !a.duplicate()
                        ? answer(a)
                        : answer(a).setEntry(UnsafeByteOperations.unsafeWrap(entries.get(i)));
                if (shared != null) {
                    answer.setInclusionProof(InclusionProof.newBuilder().setIndex(a.proof().index()).setTreeSize(a.proof().size()))
                            .addAllProofNodeRefs(shared.refs(a.proof().hashes()));
                } else {
                    answer.setInclusionProof(ProtoProofs.inclusion(a.proof()));
                }
                response.addAppends(answer);
            }
            if (shared != null) {
                response.addAllProofNodes(shared.nodes());
            }
            return response.build();
        });
    }

    private boolean isAppender(SpiffeId caller) {
        try {
            appenders.check(caller);
            return true;
        } catch (PermissionDeniedException e) {
            return false;
        }
    }

    private static String entryLabel(int i, int count) {
        return "entry " + i + " of " + count + ": ";
    }

    /**
     * The answer's index, leaf hash and flag; the caller adds the entry (its stamped bytes are the
     * call's own and never change: wrapped, not copied), checkpoint and proof.
     */
    private static AppendResponse.Builder answer(Appended appended) {
        return AppendResponse.newBuilder()
                .setIndex(appended.index())
                .setLeafHash(ProtoProofs.bytes(appended.leafHash()))
                .setDeduplicated(appended.duplicate());
    }

    private static List<Appended> awaitAll(CompletableFuture<List<Appended>> appended) throws Exception {
        try {
            return appended.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Whether {@code caller} is a tool (not a configured appender) recording one of its tool calls. */
    private boolean isToolCallRecord(AppendRequest request, SpiffeId caller) {
        return request.hasEntry() && request.getEntry().hasToolCallRecorded() && roles.of(caller).contains(Role.TOOL);
    }

    /** The entry with the caller's identity and the server's time in its header, as log bytes. */
    private static byte[] stamp(AppendRequest request, Stamp stamp) throws MalformedEntryException {
        if (!request.hasEntry()) {
            throw new MalformedEntryException("request has no entry");
        }
        return stamp.logBytes(request.getEntry());
    }

    private static Appended await(Ledger ledger, byte[] entry, boolean dedupe) throws Exception {
        try {
            return ledger.append(entry, dedupe).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void getCheckpoint(GetCheckpointRequest request, StreamObserver<GetCheckpointResponse> out) {
        Unary.respond(out, () -> GetCheckpointResponse.newBuilder()
                .setCheckpoint(ByteString.copyFrom(reads.checkpoint().noteBytes()))
                .build());
    }

    @Override
    public void getInclusionProof(GetInclusionProofRequest request, StreamObserver<GetInclusionProofResponse> out) {
        Unary.respond(out, () -> {
            ProvenEntry proven = reads.entry(request.getIndex(), request.getTreeSize());
            var response = GetInclusionProofResponse.newBuilder()
                    .setProof(ProtoProofs.inclusion(proven.proof()))
                    .setLeafHash(ProtoProofs.bytes(proven.leafHash()));
            if (request.getTreeSize() == 0) {
                proven.checkpoint().ifPresent(c -> response.setCheckpoint(ByteString.copyFrom(c.noteBytes())));
            }
            return response.build();
        });
    }

    @Override
    public void getConsistencyProof(GetConsistencyProofRequest request, StreamObserver<GetConsistencyProofResponse> out) {
        Unary.respond(out, () -> GetConsistencyProofResponse.newBuilder()
                .setProof(ProtoProofs.consistency(reads.consistency(request.getSize1(), nonZero(request.getSize2()))))
                .build());
    }

    @Override
    public void getEntry(GetEntryRequest request, StreamObserver<GetEntryResponse> out) {
        Unary.respond(out, () -> {
            ProvenEntry proven = reads.entry(request.getIndex(), request.getTreeSize());
            var response = GetEntryResponse.newBuilder()
                    .setEntry(ByteString.copyFrom(proven.entry()))
                    .setProof(ProtoProofs.inclusion(proven.proof()));
            if (request.getTreeSize() == 0) {
                proven.checkpoint().ifPresent(c -> response.setCheckpoint(ByteString.copyFrom(c.noteBytes())));
            }
            return response.build();
        });
    }

    /** size2 has no "latest" meaning in the gRPC API: 0 is simply invalid. */
    private static long nonZero(long size2) {
        return size2 == 0 ? -1 : size2;
    }
}
