package dev.agentledger.merkle;

/**
 * A node of a Merkle tree: the perfect subtree at height {@code level} whose leaves are
 * {@code [index << level, (index + 1) << level)}. Leaves are level 0.
 *
 * @param level the height above the leaves, 0 to 63
 * @param index the position among the nodes of that level, counted from 0 at the left
 */
public record NodeId(int level, long index) {
    /** Validates the coordinates; throws {@link IllegalArgumentException} when out of range. */
    public NodeId {
        if (level < 0 || level > 63) {
            throw new IllegalArgumentException("level " + level + " not in [0, 63]");
        }
        if (index < 0 || (level > 0 && index > (Long.MAX_VALUE >>> level))) {
            throw new IllegalArgumentException("index " + index + " out of range at level " + level);
        }
    }

    /** The first leaf this node covers. */
    public long firstLeaf() {
        return index << level;
    }
}
