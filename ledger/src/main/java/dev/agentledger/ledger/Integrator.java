package dev.agentledger.ledger;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeId;
import dev.agentledger.merkle.NodeSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Integration: extends the tree by a batch's leaves, staging every completed node in the batch's
 * write, and remembers the new nodes so the batch's proofs can be built without reading them back.
 */
final class Integrator {
    private Integrator() {}

    /** The outcome of integrating one batch: the new tree and a node source that sees it. */
    record Integrated(CompactRange range, NodeSource nodes) {}

    /**
     * Appends {@code leaves} to {@code range}, staging each new node into {@code batch}. Nothing is
     * durable until the batch commits; {@code range} itself is left as it was.
     */
    static Integrated integrate(CompactRange range, List<Hash> leaves, Store.Batch batch, Store store) {
        Map<NodeId, Hash> fresh = new HashMap<>(leaves.size() * 3);
        CompactRange extended = range.append(leaves, (level, index, hash) -> {
            batch.putNode(level, index, hash);
            fresh.put(new NodeId(level, index), hash);
        });
        return new Integrated(extended, new CachedNodes(fresh, store));
    }

    /** Reads nodes from the batch first, then from the store, remembering what it read. */
    private static final class CachedNodes implements NodeSource {
        private final Map<NodeId, Hash> nodes;
        private final Store store;

        CachedNodes(Map<NodeId, Hash> nodes, Store store) {
            this.nodes = nodes;
            this.store = store;
        }

        @Override
        public Hash hash(int level, long index) {
            return nodes.computeIfAbsent(new NodeId(level, index), id -> store.node(id.level(), id.index()));
        }
    }
}
