package dev.agentledger.merkle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A node store filled from what {@link CompactRange#append} reports: a {@link NodeSource} for tests. */
final class RecordedNodes implements NodeSource, NodeVisitor {
    private final Map<NodeId, Hash> nodes = new HashMap<>();

    static RecordedNodes of(List<Hash> leaves) {
        RecordedNodes recorded = new RecordedNodes();
        CompactRange.empty().append(leaves, recorded);
        return recorded;
    }

    @Override
    public void visit(int level, long index, Hash hash) {
        Hash previous = nodes.put(new NodeId(level, index), hash);
        if (previous != null) {
            throw new AssertionError("node " + level + "/" + index + " reported twice");
        }
    }

    @Override
    public Hash hash(int level, long index) {
        Hash hash = nodes.get(new NodeId(level, index));
        if (hash == null) {
            throw new IllegalStateException("no node " + level + "/" + index);
        }
        return hash;
    }

    int count() {
        return nodes.size();
    }
}
