package dev.agentledger.bench;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Rfc6962;

/**
 * A tree of up to 2^63 leaves that costs nothing to build: every leaf is the same entry, so every
 * complete subtree of a level has the same hash too, and roots and proofs built from it are real
 * ones. Verification does the same work whatever the hashes are.
 */
final class SyntheticTree {
    private SyntheticTree() {}

    /** The nodes of the tree whose every leaf is {@code entry}. */
    static NodeSource of(byte[] entry) {
        Hash[] levels = new Hash[64];
        levels[0] = Rfc6962.hashLeaf(entry);
        for (int level = 1; level < 64; level++) {
            levels[level] = Rfc6962.hashChildren(levels[level - 1], levels[level - 1]);
        }
        return (level, index) -> levels[level];
    }
}
