package dev.agentledger.verifierclient;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignerKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory log for tests: entries {@code "<prefix>-<i>"}, checkpoints signed by one key and
 * cosigned by any witnesses given, proofs made by the merkle module. Two logs with the same key,
 * origin and different prefixes sign diverging histories: a fork.
 */
final class TestLog implements ProofSource {
    final String origin;
    final SignerKey key;
    final String prefix;
    final List<Hash> leaves = new ArrayList<>();

    TestLog(String origin, SignerKey key, String prefix) {
        this.origin = origin;
        this.key = key;
        this.prefix = prefix;
    }

    static byte[] entry(String prefix, int i) {
        return (prefix + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code n} entries. */
    TestLog grow(int n) {
        for (int i = 0; i < n; i++) {
            leaves.add(Rfc6962.hashLeaf(entry(prefix, leaves.size())));
        }
        return this;
    }

    long size() {
        return leaves.size();
    }

    /** Root of {@code leaves[from, to)}, RFC 9162 section 2.1.1, recomputed from the definition. */
    private Hash root(int from, int to) {
        if (to - from == 1) {
            return leaves.get(from);
        }
        int k = Integer.highestOneBit(to - from - 1);
        return Rfc6962.hashChildren(root(from, from + k), root(from + k, to));
    }

    private NodeSource nodes() {
        return (level, index) -> root((int) (index << level), (int) ((index + 1) << level));
    }

    Hash root(long size) {
        return size == 0 ? Rfc6962.EMPTY_ROOT : Proofs.root(nodes(), size);
    }

    Checkpoint checkpoint(long size) {
        return new Checkpoint(origin, size, root(size));
    }

    /** The checkpoint at the current size, signed by the log and cosigned by {@code witnesses}. */
    String note(SignerKey... witnesses) {
        return note(size(), witnesses);
    }

    String note(long size, SignerKey... witnesses) {
        List<NoteSigner> signers = new ArrayList<>();
        signers.add(Ed25519NoteSigner.create(key));
        for (SignerKey witness : witnesses) {
            signers.add(CosignatureV1Signer.create(witness, java.time.InstantSource.system()));
        }
        return Notes.sign(checkpoint(size).format(), signers);
    }

    InclusionProof inclusion(long index, long size) {
        return Proofs.inclusion(nodes(), index, size);
    }

    @Override
    public ConsistencyProof consistency(long size1, long size2) {
        return Proofs.consistency(nodes(), size1, size2);
    }
}
