package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.tiles.Tile;
import java.util.List;

/**
 * The full check of a store at open: every entry hashes to its stored leaf (RFC 9162 section
 * 2.1.1), and every stored node of every level is the hash of its two children, so the entries,
 * tiles and proofs the log serves all reproduce the roots it signed (given that the subtree roots
 * reproduce the latest checkpoint, which {@link Ledger#recover} checks). Reads the whole store
 * once, a tile's worth of rows at a time; RocksDB verifies every block's checksum on the way.
 */
final class StoreAudit {
    private StoreAudit() {}

    /**
     * Checks the tree of {@code size} leaves in {@code store}.
     *
     * @throws StorageException naming the first entry or node that is missing, unreadable
     *     (checksum mismatch), or does not hash as it must
     */
    static void verify(Store store, long size) {
        for (long first = 0; first < size; first += Tile.WIDTH) {
            int n = (int) Math.min(Tile.WIDTH, size - first);
            List<byte[]> entries = store.entryRange(first, n);
            byte[] leaves = store.nodeRow(0, first, n);
            for (int i = 0; i < n; i++) {
                if (!Rfc6962.hashLeaf(entries.get(i)).equals(Hash.of(leaves, i * Hash.SIZE))) {
                    throw new StorageException("corrupted store: entry " + (first + i) + " does not hash to its stored leaf");
                }
            }
        }
        for (int level = 1; size >> level > 0; level++) {
            long count = size >> level;
            for (long first = 0; first < count; first += Tile.WIDTH) {
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
}
