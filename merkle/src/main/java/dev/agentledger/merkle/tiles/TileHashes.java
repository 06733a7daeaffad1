package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a tile: its {@code width} hashes from the row at tree level {@code 8L}, served as
 * their concatenation, 32 bytes each (tlog-tiles, "Merkle Tree").
 *
 * @param tile the tile's coordinates
 * @param hashes the tile's hashes, left to right; exactly {@code tile.width()} of them
 */
public record TileHashes(Tile tile, List<Hash> hashes) {
    /**
     * Copies the list and checks it matches the tile.
     *
     * @throws IllegalArgumentException if there are not exactly {@code tile.width()} hashes
     */
    public TileHashes {
        hashes = List.copyOf(hashes);
        if (hashes.size() != tile.width()) {
            throw new IllegalArgumentException(
                    "tile " + tile + " given " + hashes.size() + " hashes, want " + tile.width());
        }
    }

    /**
     * Reads an untrusted tile body: {@code tile.width() * 32} bytes (tlog-tiles, "Merkle Tree").
     * The hashes themselves are only checked later, by the proofs computed from them.
     *
     * @throws VerificationException if the body has any other length
     */
    public static TileHashes parse(Tile tile, byte[] body) throws VerificationException {
        int want = tile.width() * Hash.SIZE;
        if (body.length != want) {
            throw new VerificationException("tile " + tile + " is " + body.length + " bytes, want " + want);
        }
        List<Hash> hashes = new ArrayList<>(tile.width());
        for (int offset = 0; offset < body.length; offset += Hash.SIZE) {
            hashes.add(Hash.of(body, offset));
        }
        return new TileHashes(tile, hashes);
    }

    /** The tile body: the hashes concatenated, {@code width * 32} bytes (tlog-tiles, "Merkle Tree"). */
    public byte[] toBytes() {
        byte[] body = new byte[hashes.size() * Hash.SIZE];
        for (int i = 0; i < hashes.size(); i++) {
            hashes.get(i).copyTo(body, i * Hash.SIZE);
        }
        return body;
    }

    /**
     * The Merkle Tree Hash of the run of hashes {@code span} names (RFC 9162 section 2.1.1, tlog-tiles
     * "Merkle Tree"); the run of all 256 hashes of a full tile gives the tile's hash in the level
     * above.
     *
     * @throws IllegalArgumentException if {@code span} is about another tile
     */
    public Hash hash(TileSpan span) {
        if (!span.tile().equals(tile)) {
            throw new IllegalArgumentException("span of tile " + span.tile() + " asked of tile " + tile);
        }
        Hash[] level = hashes.subList(span.start(), span.start() + span.count()).toArray(Hash[]::new);
        // a perfect subtree of 2^k hashes: halve the row k times, hashing neighbours together
        for (int width = level.length; width > 1; width /= 2) {
            for (int i = 0; i < width / 2; i++) {
                level[i] = Rfc6962.hashChildren(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }
}
