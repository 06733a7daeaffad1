package dev.agentledger.verifierclient.witness;

import dev.agentledger.merkle.Hash;
import java.util.Objects;

/**
 * What a witness remembers of one log: the size and root of the latest checkpoint it cosigned.
 *
 * @param size the tree size, {@code >= 0}
 * @param root the root hash at that size
 */
public record TreeState(long size, Hash root) {
    /** Validates; throws {@link IllegalArgumentException} on a negative size. */
    public TreeState {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " is negative");
        }
        Objects.requireNonNull(root, "root");
    }
}
