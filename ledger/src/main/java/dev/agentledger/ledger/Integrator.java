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
 * write (one run per level), and keeps the new nodes so the batch's proofs can be built without
 * reading them back.
 */
final class Integrator {
    private Integrator() {}

    /** The outcome of integrating one batch: the new tree and a node source that sees it. */
    record Integrated(CompactRange range, NodeSource nodes) {}

    /**
     * Appends {@code leaves} to {@code range}, staging the new nodes of each level into
     * {@code batch} as one run. Nothing is durable until the batch commits; {@code range} itself
     * is left as it was.
     */
    static Integrated integrate(CompactRange range, List<Hash> leaves, Store.Batch batch, Store store) {
        BatchNodes fresh = new BatchNodes(range, range.size() + leaves.size(), store);
        CompactRange extended = range.append(leaves, fresh::put);
        fresh.stageRuns(batch);
        return new Integrated(extended, fresh);
    }

    /**
     * The nodes a batch completed, held per level, then the old tree's right border, then the
     * store (remembering what it read). A batch appends leaves {@code [oldSize, newSize)}, so at
     * level {@code l} it completes exactly the nodes {@code [oldSize >> l, newSize >> l)}: one
     * contiguous array per level.
     *
     * <p>The inclusion proof of a leaf of the batch needs no other node: each sibling right of its
     * path covers new leaves only, and each sibling left of it either covers new leaves too or is
     * a left child whose parent spans {@code oldSize}, which makes it a subtree of the old compact
     * range. Only proofs of older entries (dedupe answers) read the store.
     */
    private static final class BatchNodes implements NodeSource {
        private final long oldSize;
        private final Hash[][] levels;
        /** The old compact range by level: node {@code (l, (oldSize >> l) - 1)} for each set bit {@code l}. */
        private final Hash[] border = new Hash[64];
        private final Store store;
        private final Map<NodeId, Hash> read = new HashMap<>();

        BatchNodes(CompactRange old, long newSize, Store store) {
            this.oldSize = old.size();
            this.store = store;
            // hashes() is largest subtree first: the set bits of oldSize from the highest down.
            long bits = oldSize;
            for (Hash hash : old.hashes()) {
                int level = 63 - Long.numberOfLeadingZeros(bits);
                border[level] = hash;
                bits &= ~(1L << level);
            }
            int height = 64 - Long.numberOfLeadingZeros(newSize);
            this.levels = new Hash[height][];
            for (int level = 0; level < height; level++) {
                levels[level] = new Hash[(int) ((newSize >>> level) - (oldSize >>> level))];
            }
        }

        void put(int level, long index, Hash hash) {
            levels[level][(int) (index - (oldSize >>> level))] = hash;
        }

        /** Stages each level's new nodes, {@code [oldSize >> l, newSize >> l)}, as one run. */
        void stageRuns(Store.Batch batch) {
            for (int level = 0; level < levels.length; level++) {
                Hash[] run = levels[level];
                if (run.length == 0) {
                    continue;
                }
                byte[] hashes = new byte[run.length * Hash.SIZE];
                for (int i = 0; i < run.length; i++) {
                    run[i].copyTo(hashes, i * Hash.SIZE);
                }
                batch.putNodeRun(level, oldSize >>> level, hashes);
            }
        }

        @Override
        public Hash hash(int level, long index) {
            long first = oldSize >>> level;
            if (level < levels.length && index >= first && index - first < levels[level].length) {
                return levels[level][(int) (index - first)];
            }
            if (level < 64 && border[level] != null && index == (oldSize >>> level) - 1) {
                return border[level];
            }
            return read.computeIfAbsent(new NodeId(level, index), id -> store.node(id.level(), id.index()));
        }
    }
}
