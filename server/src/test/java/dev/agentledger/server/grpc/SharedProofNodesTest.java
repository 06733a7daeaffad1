package dev.agentledger.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.proto.v1.AppendBatchResponse;
import dev.agentledger.proto.v1.AppendResponse;
import io.grpc.Status;
import io.grpc.StatusException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared proof table of a batch answer: packed by the server, restored whole by the client. */
class SharedProofNodesTest {
    private static final ByteString CHECKPOINT = ByteString.copyFromUtf8("checkpoint");

    /**
     * The four proofs of a 4-leaf tree (RFC 9162 section 2.1.3: leaf i's path is its sibling leaf,
     * then the hash of the other pair) hold 8 hashes, 6 of them distinct.
     */
    @Test
    void theProofsOfABatchTravelAsOneTableAndComeBackWhole() throws Exception {
        Hash[] leaves = new Hash[4];
        for (int i = 0; i < 4; i++) {
            leaves[i] = Rfc6962.hashLeaf(("e" + i).getBytes(StandardCharsets.UTF_8));
        }
        Hash left = Rfc6962.hashChildren(leaves[0], leaves[1]);
        Hash right = Rfc6962.hashChildren(leaves[2], leaves[3]);
        List<InclusionProof> proofs = List.of(
                new InclusionProof(0, 4, List.of(leaves[1], right)),
                new InclusionProof(1, 4, List.of(leaves[0], right)),
                new InclusionProof(2, 4, List.of(leaves[3], left)),
                new InclusionProof(3, 4, List.of(leaves[2], left)));

        SharedProofNodes shared = new SharedProofNodes();
        AppendBatchResponse.Builder packed = AppendBatchResponse.newBuilder().setCheckpoint(CHECKPOINT);
        for (InclusionProof p : proofs) {
            packed.addAppends(AppendResponse.newBuilder().setIndex(p.index())
                    .setInclusionProof(dev.agentledger.proto.v1.InclusionProof.newBuilder().setIndex(p.index()).setTreeSize(p.size()))
                    .addAllProofNodeRefs(shared.refs(p.hashes())));
        }
        packed.addAllProofNodes(shared.nodes());
        assertEquals(6, packed.getProofNodesCount(), "each distinct hash once");

        List<AppendResponse> answers = SharedProofNodes.unpack(packed.build(), 4);
        List<AppendResponse> plain = new ArrayList<>();
        for (InclusionProof p : proofs) {
            plain.add(AppendResponse.newBuilder().setIndex(p.index()).setCheckpoint(CHECKPOINT)
                    .setInclusionProof(ProtoProofs.inclusion(p)).build());
        }
        assertEquals(plain, answers, "each answer as a plain Append gives it: full proof, checkpoint, no refs");
    }

    @Test
    void anAnswerWithoutTheTableIsTakenAsItIs() throws Exception {
        InclusionProof p = new InclusionProof(1, 2, List.of(Rfc6962.hashLeaf(new byte[] {1})));
        AppendResponse full = AppendResponse.newBuilder().setIndex(1).setInclusionProof(ProtoProofs.inclusion(p)).build();
        List<AppendResponse> answers = SharedProofNodes.unpack(
                AppendBatchResponse.newBuilder().setCheckpoint(CHECKPOINT).addAppends(full).build(), 1);
        assertEquals(full.toBuilder().setCheckpoint(CHECKPOINT).build(), answers.getFirst(), "an older server's full proofs");
    }

    @Test
    void aReferenceOutsideTheTableOrAWrongCountIsAnInternalError() {
        AppendBatchResponse outside = AppendBatchResponse.newBuilder()
                .addProofNodes(ByteString.copyFrom(new byte[32]))
                .addAppends(AppendResponse.newBuilder().addProofNodeRefs(0).addProofNodeRefs(1))
                .build();
        StatusException e = assertThrows(StatusException.class, () -> SharedProofNodes.unpack(outside, 1));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("proof node 1, want below 1"), e.getStatus().getDescription());
        StatusException count = assertThrows(StatusException.class, () -> SharedProofNodes.unpack(outside, 2));
        assertTrue(count.getStatus().getDescription().contains("1 appends to a batch of 2"), count.getStatus().getDescription());
    }
}
