package dev.agentledger.merkle.tiles;

/**
 * Where {@link TileNodeSource} gets tile bodies from: the ledger's store, an HTTP client with a
 * cache, or a map in tests.
 */
@FunctionalInterface
public interface TileReader {
    /**
     * Returns the body of {@code tile}: its {@code width} hashes, 32 bytes each, concatenated
     * (tlog-tiles, "Merkle Tree"). The caller does not modify the array.
     *
     * @throws RuntimeException (preferably {@link IllegalStateException} or
     *     {@link java.io.UncheckedIOException}) when the tile cannot be read
     */
    byte[] read(Tile tile);
}
