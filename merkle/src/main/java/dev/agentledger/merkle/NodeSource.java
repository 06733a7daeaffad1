package dev.agentledger.merkle;

/**
 * Where proof generation reads node hashes from: the ledger answers it from its tiles, tests from a
 * list of leaves.
 *
 * <p>Only complete (perfect) subtrees are ever asked for: every leaf in
 * {@code [index << level, (index + 1) << level)} is in the tree the proof is for.
 */
@FunctionalInterface
public interface NodeSource {
    /**
     * Returns the hash of the perfect subtree at {@code level} and {@code index}.
     *
     * @throws IllegalStateException (or a subclass) when the store cannot produce it; such a
     *     failure is the store's, never the caller's input
     */
    Hash hash(int level, long index);
}
