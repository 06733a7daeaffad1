package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.tiles.Tile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * The check of a store's data: every entry hashes to its stored leaf (RFC 9162 section 2.1.1) and
 * has its row in the leaf-hash index (once the store records that it should, see
 * {@link LeafIndex}), and every stored node of every level is the hash of its two children, so the
 * entries, tiles and proofs the log serves all reproduce the roots it signed (given that the
 * subtree roots reproduce the latest checkpoint, which {@link Ledger#recover} checks). Reads a
 * tile's worth of rows at a time; RocksDB verifies every block's checksum on the way.
 *
 * <p>Incremental: the store remembers how far it was audited and the root there (its audit mark,
 * written once an audit passed, over data already durable, so the mark never runs ahead of the
 * data). An open audits only what was appended since the mark, after checking that the stored
 * nodes still give the mark's root at its size, so the new part is checked against the very
 * nodes it was built on. What that no longer reads at open: entries and nodes inside the audited
 * part that are neither on its right border nor children of a newer node; {@link #full} reads
 * them all.
 */
final class StoreAudit {
    private static final int MARK_BYTES = 8 + Hash.SIZE;

    private StoreAudit() {}

    /** How far the store was audited: its first {@code size} leaves, whose root was {@code root}. */
    record Mark(long size, Hash root) {
        byte[] encode() {
            return ByteBuffer.allocate(MARK_BYTES).putLong(size).put(root.toByteArray()).array();
        }

        /** The mark in {@code bytes}, or empty if they are not one (the store is then audited in full). */
        static Optional<Mark> decode(byte[] bytes) {
            if (bytes.length != MARK_BYTES) {
                return Optional.empty();
            }
            long size = ByteBuffer.wrap(bytes).getLong();
            return size < 0 ? Optional.empty() : Optional.of(new Mark(size, Hash.of(bytes, 8)));
        }
    }

    /**
     * Audits what was appended to the tree {@code latest} since the store's audit mark, then moves
     * the mark to {@code latest} (if that write fails, the next open audits the same part again).
     * Without a usable mark (none, malformed, or beyond the tree) it audits the whole tree.
     *
     * @return how many leaves were audited
     * @throws StorageException if the stored nodes no longer give the mark's root at its size, or
     *     an entry or node appended since is missing, unreadable (checksum mismatch) or does not
     *     hash as it must
     */
    static long sinceMark(Store store, Mark latest) {
        Optional<Mark> mark = store.auditMark().flatMap(Mark::decode).filter(m -> m.size() <= latest.size());
        long from = 0;
        if (mark.isPresent() && mark.get().size() > 0) {
            Hash stored = Proofs.root(store::node, mark.get().size());
            if (!stored.equals(mark.get().root())) {
                throw new StorageException("corrupted store: its nodes give root " + stored + " at size " + mark.get().size()
                        + ", where it was audited with root " + mark.get().root());
            }
            from = mark.get().size();
        }
        verify(store, from, latest.size());
        if (mark.isEmpty() || mark.get().size() != latest.size()) {
            recordIfPossible(store, latest);
        }
        return latest.size() - from;
    }

    /**
     * Audits the whole tree {@code upTo} of a store that a running log keeps appending to (the
     * nodes and entries below its size never change), then moves the audit mark to it if it can.
     *
     * @throws StorageException naming the first entry or node that is missing, unreadable
     *     (checksum mismatch), or does not hash as it must, or an entry has no row in the leaf-hash index
     */
    static void whileServing(Store store, Mark upTo) {
        verify(store, 0, upTo.size());
        recordIfPossible(store, upTo);
    }

    private static void recordIfPossible(Store store, Mark latest) {
        try {
            record(store, latest);
        } catch (StorageException e) {
            // The audit passed; without its mark the next open audits this part again. A failed
            // write (a full disk) leaves the store to the sequencer's reopen before the next batch.
        }
    }

    /**
     * Audits the whole tree {@code latest} and moves the audit mark to it.
     *
     * @throws StorageException naming the first entry or node that is missing, unreadable
     *     (checksum mismatch), or does not hash as it must, or an entry has no row in the leaf-hash index
     */
    static void full(Store store, Mark latest) {
        verify(store, 0, latest.size());
        record(store, latest);
    }

    private static void record(Store store, Mark latest) {
        try (Store.Batch batch = store.newBatch()) {
            batch.putAuditMark(latest.encode());
            store.commit(batch);
        }
    }

    /**
     * Checks leaves {@code [from, size)} of the tree of {@code size} leaves: each of those entries
     * against its leaf, and at each level every node that covers one of them (nodes
     * {@code [from >> level, size >> level)}, the first of which may also cover older leaves)
     * against its children.
     */
    static void verify(Store store, long from, long size) {
        // Leaves past this have their rows in memory only, rebuilt from the nodes checked here (see LeafIndex).
        long leafRowsUpTo = store.leafRowsUpTo().orElse(size);
        for (long first = from; first < size; first += Tile.WIDTH) {
            stopIfInterrupted();
            int n = (int) Math.min(Tile.WIDTH, size - first);
            List<byte[]> entries = store.entryRange(first, n);
            byte[] leaves = store.nodeRow(0, first, n);
            List<Hash> leafHashes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Hash leaf = Rfc6962.hashLeaf(entries.get(i));
                if (!leaf.equals(Hash.of(leaves, i * Hash.SIZE))) {
                    throw new StorageException("corrupted store: entry " + (first + i) + " does not hash to its stored leaf");
                }
                leafHashes.add(leaf);
            }
            // Dedupe finds an entry by its row in the leaf-hash index: a lost row would log it twice.
            int indexed = (int) Math.max(0, Math.min(n, leafRowsUpTo - first));
            long unindexed = indexed == 0 ? -1 : store.firstWithoutLeafRow(first, leafHashes.subList(0, indexed));
            if (unindexed >= 0) {
                throw new StorageException("corrupted store: entry " + unindexed + " has no row in the leaf-hash index");
            }
        }
        for (int level = 1; size >> level > 0; level++) {
            long count = size >> level;
            for (long first = from >> level; first < count; first += Tile.WIDTH) {
                stopIfInterrupted();
                int n = (int) Math.min(Tile.WIDTH, count - first);
                byte[] children = store.nodeRow(level - 1, 2 * first, 2 * n);
                byte[] nodes = store.nodeRow(level, first, n);
                for (int i = 0; i < n; i++) {
                    Hash computed = Rfc6962.hashChildren(Hash.of(children, 2 * i * Hash.SIZE), Hash.of(children, (2 * i + 1) * Hash.SIZE));
                    if (!computed.equals(Hash.of(nodes, i * Hash.SIZE))) {
                        throw new StorageException("corrupted store: node " + level + "/" + (first + i)
                                + " is not the hash of its children (stored " + Hash.of(nodes, i * Hash.SIZE) + ", computed " + computed + ")");
                    }
                }
            }
        }
    }

    /** An audit running in the background stops between tiles when its log closes. */
    private static void stopIfInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("the store audit was stopped: the log is closing");
        }
    }
}
