package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeId;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.VerificationException;
import java.util.Objects;

/**
 * Node hashes of a tree of fixed size read from its tiles: each node is found with
 * {@link Tiling#locate}, its tile read through a {@link TileReader}, and the node hashed up from the
 * tile's row with RFC 9162 {@code hashChildren} (tlog-tiles, "Merkle Tree").
 *
 * <p>Holds no state besides the size and the reader, so it is as thread-safe as the reader. It
 * reads a tile on every call; give it a reader that caches when reads are expensive.
 *
 * <p>Security: the tile hashes are not checked against anything here. Proofs built from a log's
 * own tiles are right if its tiles are; a client reading a remote log's tiles must verify the proofs
 * it computes against a signed checkpoint, which catches any wrong hash.
 */
public final class TileNodeSource implements NodeSource {
    private final long treeSize;
    private final TileReader reader;

    /**
     * Reads the tiles of the tree of {@code treeSize} leaves through {@code reader}.
     *
     * @throws IllegalArgumentException if {@code treeSize} is negative
     */
    public TileNodeSource(long treeSize, TileReader reader) {
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize + " is negative");
        }
        this.treeSize = treeSize;
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /** The size of the tree whose tiles are read. */
    public long treeSize() {
        return treeSize;
    }

    /**
     * Returns the hash of the perfect subtree at {@code level} and {@code index}, which must be
     * complete in the tree: {@code (index + 1) * 2^level <= treeSize}.
     *
     * @throws IllegalArgumentException if the node is not complete in the tree (the caller's bug)
     * @throws IllegalStateException if the reader returns null or a body of the wrong length for the
     *     tile's width (the reader's failure); anything the reader throws passes through
     */
    @Override
    public Hash hash(int level, long index) {
        TileSpan span = Tiling.locate(new NodeId(level, index), treeSize);
        byte[] body = reader.read(span.tile());
        if (body == null) {
            throw new IllegalStateException("tile reader returned no body for " + span.tile());
        }
        try {
            return TileHashes.parse(span.tile(), body).hash(span);
        } catch (VerificationException e) {
            throw new IllegalStateException("tile reader failed: " + e.getMessage(), e);
        }
    }
}
