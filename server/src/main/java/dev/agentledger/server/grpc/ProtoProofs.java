package dev.agentledger.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.agentledger.merkle.Hash;

/** Converts the log's proofs and hashes to their {@code ledger_service.proto} messages. */
public final class ProtoProofs {
    private ProtoProofs() {}

    static ByteString bytes(Hash hash) {
        return UnsafeByteOperations.unsafeWrap(hash.toByteArray()); // a fresh copy: no second one
    }

    /** The proto form of an inclusion proof. */
    public static dev.agentledger.proto.v1.InclusionProof inclusion(dev.agentledger.merkle.InclusionProof proof) {
        var builder = dev.agentledger.proto.v1.InclusionProof.newBuilder()
                .setIndex(proof.index())
                .setTreeSize(proof.size());
        proof.hashes().forEach(h -> builder.addHashes(bytes(h)));
        return builder.build();
    }

    static dev.agentledger.proto.v1.ConsistencyProof consistency(dev.agentledger.merkle.ConsistencyProof proof) {
        var builder = dev.agentledger.proto.v1.ConsistencyProof.newBuilder()
                .setSize1(proof.size1())
                .setSize2(proof.size2());
        proof.hashes().forEach(h -> builder.addHashes(bytes(h)));
        return builder.build();
    }
}
