package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeId;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory log served through the tlog-tiles paths, for tests: every node hash is recorded as
 * the compact range completes it, tiles and bundles are cut from them at the widths the published
 * size has, and the checkpoint is signed by the log key and cosigned by the witnesses given. Two
 * logs with the same key and origin and different entries are a fork. Entries can be tampered with
 * in the bundles only (tiles and checkpoint keep the true hashes).
 */
final class TileLog implements TileFetcher {
    final String origin;
    final SignerKey key;
    private final List<byte[]> entries = new ArrayList<>();
    private final Map<NodeId, Hash> nodes = new HashMap<>();
    private final Map<Long, byte[]> tampered = new HashMap<>();
    private CompactRange range = CompactRange.empty();
    private long published;
    private List<SignerKey> witnesses = List.of();
    int fetches;

    TileLog(String origin, SignerKey key) {
        this.origin = origin;
        this.key = key;
    }

    /** Appends entries; they are served once {@link #publish} covers them. */
    TileLog append(List<byte[]> more) {
        for (byte[] entry : more) {
            entries.add(entry.clone());
            range = range.append(Rfc6962.hashLeaf(entry), (level, index, hash) -> nodes.put(new NodeId(level, index), hash));
        }
        return this;
    }

    /** Appends {@code n} entries {@code "<prefix>-<i>"} (not valid LogEntries: malformed records). */
    TileLog appendText(String prefix, int n) {
        List<byte[]> more = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            more.add((prefix + "-" + (entries.size() + i)).getBytes(StandardCharsets.UTF_8));
        }
        return append(more);
    }

    long size() {
        return entries.size();
    }

    /** Serves the log at its current size, cosigned by {@code witnessKeys}. */
    TileLog publish(SignerKey... witnessKeys) {
        published = entries.size();
        witnesses = List.of(witnessKeys);
        return this;
    }

    /** Serves {@code replacement} instead of entry {@code index} in bundles. */
    void tamper(long index, byte[] replacement) {
        tampered.put(index, replacement);
    }

    Hash root(long size) {
        if (size == entries.size()) {
            return range.root();
        }
        CompactRange partial = CompactRange.empty();
        for (int i = 0; i < size; i++) {
            partial = partial.append(Rfc6962.hashLeaf(entries.get(i)), dev.agentledger.merkle.NodeVisitor.NONE);
        }
        return partial.root();
    }

    /** The note of the checkpoint at {@code size}, signed by the log and the current witnesses. */
    String note(long size) {
        List<NoteSigner> signers = new ArrayList<>();
        signers.add(Ed25519NoteSigner.create(key));
        for (SignerKey witness : witnesses) {
            signers.add(CosignatureV1Signer.create(witness, InstantSource.system()));
        }
        return Notes.sign(new Checkpoint(origin, size, root(size)).format(), signers);
    }

    String note() {
        return note(published);
    }

    @Override
    public synchronized byte[] fetch(String path) throws IOException {
        fetches++;
        if (path.equals("checkpoint")) {
            return note().getBytes(StandardCharsets.UTF_8);
        }
        try {
            if (path.startsWith("tile/entries/")) {
                Tile tile = Tile.parseEntries(path);
                requireServed(tile, path);
                List<byte[]> bundle = new ArrayList<>();
                for (int i = 0; i < tile.width(); i++) {
                    long index = tile.firstLeaf() + i;
                    bundle.add(tampered.getOrDefault(index, entries.get((int) index)));
                }
                return EntryBundle.of(bundle).toByteArray();
            }
            Tile tile = Tile.parse(path);
            requireServed(tile, path);
            byte[] body = new byte[tile.width() * Hash.SIZE];
            for (int i = 0; i < tile.width(); i++) {
                nodes.get(tile.node(i)).copyTo(body, i * Hash.SIZE);
            }
            return body;
        } catch (VerificationException e) {
            throw new IOException(e);
        }
    }

    private void requireServed(Tile tile, String path) throws FileNotFoundException {
        if (tile.minTreeSize() > published) {
            throw new FileNotFoundException(path);
        }
    }
}
