package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.TileNodeSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a log's tiles and entry bundles through a {@link TileFetcher} at the widths a given tree size
 * has (tlog-tiles, "Partial Tiles"). A partial tile or bundle the log no longer serves (it has grown
 * past it) is cut from the full one: the first {@code W} hashes or entries of a tile are the same at
 * every width. Nothing here is trusted; callers verify what they build from it.
 */
final class LogTiles {
    private final TileFetcher fetcher;

    LogTiles(TileFetcher fetcher) {
        this.fetcher = fetcher;
    }

    TileFetcher fetcher() {
        return fetcher;
    }

    /**
     * The entry bundle with the coordinates of level-0 {@code tile}, holding exactly its width of
     * entries.
     *
     * @throws VerificationException if the body is not a bundle of that width
     * @throws IOException if neither it nor its full version can be fetched
     */
    EntryBundle bundle(Tile tile) throws IOException, VerificationException {
        try {
            return EntryBundle.parse(fetcher.fetch(tile.entriesPath()), tile.width());
        } catch (FileNotFoundException e) {
            if (tile.isFull()) {
                throw e;
            }
            EntryBundle full = EntryBundle.parse(fetcher.fetch(tile.toFull().entriesPath()), Tile.WIDTH);
            return EntryBundle.of(full.entries().subList(0, tile.width()));
        }
    }

    /** The body of {@code tile} at its width; same fallback as {@link #bundle}. */
    byte[] tile(Tile tile) throws IOException {
        try {
            return fetcher.fetch(tile.path());
        } catch (FileNotFoundException e) {
            if (tile.isFull()) {
                throw e;
            }
            byte[] full = fetcher.fetch(tile.toFull().path());
            int length = tile.width() * Hash.SIZE;
            if (full.length < length) {
                throw new IOException(tile.toFull().path() + " is " + full.length + " bytes, want " + Tile.WIDTH * Hash.SIZE);
            }
            return Arrays.copyOf(full, length);
        }
    }

    /**
     * The consistency proof from {@code size1} to {@code size2} computed from the tiles of the
     * tree of {@code size2} (RFC 9162 section 2.1.4.1); requires {@code 0 < size1 <= size2}. Each
     * tile is fetched at most once.
     *
     * @throws IOException if a tile cannot be fetched or has the wrong length
     */
    ConsistencyProof consistency(long size1, long size2) throws IOException {
        Map<Tile, byte[]> cache = new HashMap<>();
        TileNodeSource nodes = new TileNodeSource(size2, tile -> cache.computeIfAbsent(tile, t -> {
            try {
                return tile(t);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        try {
            return Proofs.consistency(nodes, size1, size2);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalStateException e) {
            throw new IOException("the log's tiles for size " + size2 + " are unusable: " + e.getMessage(), e);
        }
    }
}
