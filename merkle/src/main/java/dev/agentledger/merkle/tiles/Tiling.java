package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which tiles a tree of a given size has, at which widths, and where each node's hash is found
 * (tlog-tiles, "Merkle Tree" and "Partial Tiles").
 *
 * <p>Tile level {@code L} stores the row at tree level {@code 8L}: for a tree of size {@code S} that
 * row holds {@code floor(S / 256^L)} hashes, split into full tiles of 256 and, when the count is not
 * a multiple of 256, one partial tile of {@code floor(S / 256^L) mod 256} hashes on the right edge.
 */
public final class Tiling {
    private Tiling() {}

    /**
     * The width of tile {@code index} at {@code level} in a tree of {@code treeSize} leaves: 256 for a
     * full tile, 1 to 255 for the partial tile on the right edge, 0 when the tree has no such tile
     * (tlog-tiles, "Partial Tiles").
     *
     * @throws IllegalArgumentException if the level is not in 0..7 or the index or size is negative
     */
    public static int width(int level, long index, long treeSize) {
        long rowSize = rowSize(level, treeSize);
        if (index < 0) {
            throw new IllegalArgumentException("tile index " + index + " is negative");
        }
        // rowSize >>> HEIGHT is the number of full tiles: whole blocks of 256 hashes
        long fullTiles = rowSize >>> Tile.HEIGHT;
        if (index < fullTiles) {
            return Tile.WIDTH;
        }
        // the low 8 bits of the row size are the hashes left over for the partial tile
        return index == fullTiles ? (int) (rowSize & (Tile.WIDTH - 1)) : 0;
    }

    /**
     * Tile {@code index} at {@code level} as it is in a tree of {@code treeSize} leaves, or empty
     * when the tree has no such tile (tlog-tiles, "Partial Tiles"); same preconditions as
     * {@link #width}.
     */
    public static Optional<Tile> tile(int level, long index, long treeSize) {
        int width = width(level, index, treeSize);
        return width == 0 ? Optional.empty() : Optional.of(new Tile(level, index, width));
    }

    /**
     * How many tiles, full and partial, a tree of {@code treeSize} leaves has at {@code level}:
     * tiles {@code 0 .. count-1} exist. Requires a level in 0..7 and a non-negative size.
     */
    public static long tileCount(int level, long treeSize) {
        long rowSize = rowSize(level, treeSize);
        // ceil(rowSize / 256) without overflow: full blocks plus one if any hash is left over
        return (rowSize >>> Tile.HEIGHT) + ((rowSize & (Tile.WIDTH - 1)) == 0 ? 0 : 1);
    }

    /**
     * The partial tiles on the right edge of a tree of {@code treeSize} leaves, lowest level first:
     * the tiles a log must serve for a checkpoint of this size besides full tiles, and which may not
     * be hashed into the level above (tlog-tiles, "Partial Tiles"). Requires a non-negative size.
     */
    public static List<Tile> partialTiles(long treeSize) {
        List<Tile> tiles = new ArrayList<>();
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            long count = tileCount(level, treeSize);
            if (count > 0) {
                tile(level, count - 1, treeSize).filter(t -> !t.isFull()).ifPresent(tiles::add);
            }
        }
        return List.copyOf(tiles);
    }

    /**
     * The tiles a log writes when its tree grows from {@code oldSize} to {@code newSize}: every tile
     * of the new tree whose path the old tree did not have, by level and then index. These are the
     * right-edge tile of each level that grew, at its new width, and every tile after it. Entry
     * bundles to write are the ones with the coordinates of the level-0 tiles in this list
     * (tlog-tiles, "Merkle Tree" and "Log entries").
     *
     * <p>The list has about {@code (newSize - oldSize) / 255 + 8} tiles, so callers growing the tree
     * in huge steps should step through it in smaller ones.
     *
     * @throws IllegalArgumentException unless {@code 0 <= oldSize <= newSize}
     */
    public static List<Tile> newTiles(long oldSize, long newSize) {
        if (oldSize < 0 || oldSize > newSize) {
            throw new IllegalArgumentException("tree sizes " + oldSize + " -> " + newSize + " do not grow");
        }
        List<Tile> tiles = new ArrayList<>();
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            long oldRow = rowSize(level, oldSize);
            long newRow = rowSize(level, newSize);
            if (newRow == oldRow) {
                break; // a row that did not grow means every row above it did not grow either
            }
            // the tile holding the old row's next hash is the first one that changes
            long end = tileCount(level, newSize);
            for (long index = oldRow >>> Tile.HEIGHT; index < end; index++) {
                tiles.add(new Tile(level, index, width(level, index, newSize)));
            }
        }
        return List.copyOf(tiles);
    }

    /**
     * Where the hash of {@code node} is found in a tree of {@code treeSize} leaves: a node at tree
     * level {@code 8L + k} ({@code 0 <= k < 8}) is the Merkle Tree Hash of {@code 2^k} consecutive
     * hashes of a tile at level {@code L}, given at the width that tile has in this tree (tlog-tiles,
     * "Merkle Tree"). Requires that the node is a complete subtree of the tree: {@code (index + 1) *
     * 2^level <= treeSize}.
     *
     * @throws IllegalArgumentException if the node is not complete in a tree of this size
     */
    public static TileSpan locate(NodeId node, long treeSize) {
        // index < treeSize >>> level is (index + 1) << level <= treeSize, without overflowing
        if (treeSize < 0 || node.index() >= treeSize >>> node.level()) {
            throw new IllegalArgumentException("node " + node + " is not complete in a tree of size " + treeSize);
        }
        int level = node.level() / Tile.HEIGHT;
        // the node is k levels above its tile's row, k = level mod 8
        int k = node.level() % Tile.HEIGHT;
        // in the tile's row the node covers the 2^k hashes from index << k
        long firstHash = node.index() << k;
        // the tile is the block of 256 holding them; the low 8 bits place them inside it
        Tile tile = new Tile(level, firstHash >>> Tile.HEIGHT, width(level, firstHash >>> Tile.HEIGHT, treeSize));
        return new TileSpan(tile, (int) (firstHash & (Tile.WIDTH - 1)), 1 << k);
    }

    /** The number of hashes in the row at tree level 8L: floor(treeSize / 256^L). */
    private static long rowSize(int level, long treeSize) {
        if (level < 0 || level > Tile.MAX_LEVEL) {
            throw new IllegalArgumentException("tile level " + level + " not in [0, " + Tile.MAX_LEVEL + "]");
        }
        if (treeSize < 0) {
            throw new IllegalArgumentException("tree size " + treeSize + " is negative");
        }
        // dividing by 256^L is shifting right by 8L
        return treeSize >>> (Tile.HEIGHT * level);
    }
}
