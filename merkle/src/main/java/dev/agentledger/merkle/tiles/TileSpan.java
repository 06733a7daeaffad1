package dev.agentledger.merkle.tiles;

/**
 * Where a node lives in the tiles: it is the Merkle Tree Hash of hashes {@code [start, start +
 * count)} of {@code tile}, a power-of-two run aligned to its own size (tlog-tiles, "Merkle Tree":
 * "the Merkle Tree levels between those expressed by the tile hashes are reconstructed by hashing").
 *
 * @param tile the tile holding the hashes, at the width it has in the tree asked about
 * @param start the first hash of the run, a multiple of {@code count}
 * @param count how many hashes the node covers, {@code 2^k} for a node {@code k} levels above the
 *     tile's row, 1 to 256
 */
public record TileSpan(Tile tile, int start, int count) {
    /**
     * Validates the span.
     *
     * @throws IllegalArgumentException if {@code count} is not a power of two, {@code start} is not a
     *     multiple of it, or the run does not fit in the tile's width
     */
    public TileSpan {
        if (count < 1 || Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("span count " + count + " is not a power of two");
        }
        // a power-of-two count has only its top bit set, so count - 1 masks the misaligned bits
        if (start < 0 || (start & (count - 1)) != 0) {
            throw new IllegalArgumentException("span start " + start + " is not a multiple of " + count);
        }
        if (start + count > tile.width()) {
            throw new IllegalArgumentException(
                    "span [" + start + ", " + (start + count) + ") beyond tile width " + tile.width());
        }
    }
}
