package dev.agentledger.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.InclusionProof;
import io.grpc.Status;
import io.grpc.StatusException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code shared_proof_nodes} form of an {@code AppendBatch} answer ({@code
 * ledger_service.proto}): the inclusion proofs of one batch, all to the same tree size and mostly
 * of neighbouring leaves, share most of their hashes, so each distinct hash travels once and each
 * proof lists positions in that table. The server fills the table with {@link #refs}; the client
 * rebuilds every full proof with {@link #unpack}.
 */
public final class SharedProofNodes {
    private final Map<Hash, Integer> positions = new HashMap<>();
    private final List<ByteString> nodes = new ArrayList<>();

    SharedProofNodes() {}

    /** The positions of {@code hashes} in the table, in order, adding those not in it yet. */
    List<Integer> refs(List<Hash> hashes) {
        List<Integer> refs = new ArrayList<>(hashes.size());
        for (Hash h : hashes) {
            refs.add(positions.computeIfAbsent(h, added -> {
                nodes.add(UnsafeByteOperations.unsafeWrap(added.toByteArray()));
                return nodes.size() - 1;
            }));
        }
        return refs;
    }

    /** The table: every distinct hash given to {@link #refs}, in first-seen order. */
    List<ByteString> nodes() {
        return nodes;
    }

    /**
     * The answers of a batch of {@code count} appends, each as a plain {@code Append} would
     * answer: the batch's checkpoint filled in and, when the server sent shared proof nodes, each
     * proof's hashes restored from the table.
     *
     * @throws StatusException INTERNAL if the server answered another number of appends, or a
     *     proof refers to a position outside the table
     */
    public static List<AppendResponse> unpack(AppendBatchResponse response, int count) throws StatusException {
        if (response.getAppendsCount() != count) {
            throw internal("the server answered " + response.getAppendsCount() + " appends to a batch of " + count);
        }
        List<ByteString> table = response.getProofNodesList();
        ByteString checkpoint = response.getCheckpoint();
        List<AppendResponse> answers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            AppendResponse append = response.getAppends(i);
            AppendResponse.Builder answer = append.toBuilder().setCheckpoint(checkpoint);
            if (append.getProofNodeRefsCount() > 0) {
                InclusionProof.Builder proof = append.getInclusionProof().toBuilder();
                for (int ref : append.getProofNodeRefsList()) {
                    if (ref < 0 || ref >= table.size()) {
                        throw internal("append " + i + " of " + count + " refers to proof node " + Integer.toUnsignedString(ref)
                                + ", want below " + table.size());
                    }
                    proof.addHashes(table.get(ref));
                }
                answer.clearProofNodeRefs().setInclusionProof(proof);
            }
            answers.add(answer.build());
        }
        return answers;
    }

    private static StatusException internal(String why) {
        return Status.INTERNAL.withDescription(why).asException();
    }
}
