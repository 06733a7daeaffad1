package dev.agentledger.merkle;

/**
 * Receives every node hash a {@link CompactRange} computes while appending: each new leaf
 * (level 0) and each perfect subtree it completes. The ledger writes the ones tiles keep.
 */
@FunctionalInterface
public interface NodeVisitor {
    /** A visitor that ignores every node. */
    NodeVisitor NONE = (level, index, hash) -> {};

    /** Called once per completed node, children before parents, left before right. */
    void visit(int level, long index, Hash hash);
}
