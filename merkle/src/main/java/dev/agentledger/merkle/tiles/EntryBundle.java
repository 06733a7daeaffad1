package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable entry bundle, the body of {@code tile/entries/<N>[.p/<W>]}: 1 to 256 log entries, each
 * a big-endian uint16 length followed by that many bytes (tlog-tiles, "Log entries"). Entry {@code i}
 * hashes to hash {@code i} of the level-0 tile with the same coordinates.
 *
 * <p>Keeps the encoded bytes and hands out copies, so it is safe to share and compares by content.
 */
public final class EntryBundle {
    /** The largest entry a uint16 length prefix can describe. */
    public static final int MAX_ENTRY_SIZE = 0xFFFF;

    private static final int LENGTH_SIZE = 2;

    private final byte[] body;
    /**
     * Where each entry's length prefix is in {@code body}, then {@code body.length}: entry {@code i}
     * is {@code body[prefixes[i] + 2, prefixes[i + 1])}.
     */
    private final int[] prefixes;

    private EntryBundle(byte[] body, int[] prefixes) {
        this.body = body;
        this.prefixes = prefixes;
    }

    /**
     * Encodes {@code entries} as a bundle (tlog-tiles, "Log entries").
     *
     * @throws IllegalArgumentException if there are no entries or more than 256, or an entry is
     *     longer than 65,535 bytes
     */
    public static EntryBundle of(List<byte[]> entries) {
        if (entries.isEmpty() || entries.size() > Tile.WIDTH) {
            throw new IllegalArgumentException("bundle of " + entries.size() + " entries, want 1 to " + Tile.WIDTH);
        }
        int size = 0;
        for (byte[] entry : entries) {
            if (entry.length > MAX_ENTRY_SIZE) {
                throw new IllegalArgumentException("entry of " + entry.length + " bytes, want at most " + MAX_ENTRY_SIZE);
            }
            size += LENGTH_SIZE + entry.length;
        }
        byte[] body = new byte[size];
        int[] prefixes = new int[entries.size() + 1];
        for (int i = 0; i < entries.size(); i++) {
            byte[] entry = entries.get(i);
            int offset = prefixes[i];
            // big-endian uint16: high byte first, then low byte
            body[offset] = (byte) (entry.length >>> 8);
            body[offset + 1] = (byte) entry.length;
            System.arraycopy(entry, 0, body, offset + LENGTH_SIZE, entry.length);
            prefixes[i + 1] = offset + LENGTH_SIZE + entry.length;
        }
        return new EntryBundle(body, prefixes);
    }

    /**
     * Parses an untrusted bundle of any width from 1 to 256 (tlog-tiles, "Log entries").
     *
     * @throws VerificationException if the body is empty, a length prefix or an entry is cut short,
     *     or it holds more than 256 entries
     */
    public static EntryBundle parse(byte[] body) throws VerificationException {
        int[] prefixes = new int[Tile.WIDTH + 1];
        int count = 0;
        int offset = 0;
        while (offset < body.length) {
            if (count == Tile.WIDTH) {
                throw new VerificationException("bundle has more than " + Tile.WIDTH + " entries");
            }
            if (body.length - offset < LENGTH_SIZE) {
                throw new VerificationException("bundle entry " + count + " has a truncated length at byte " + offset);
            }
            // big-endian uint16: the masks read each byte as unsigned
            int length = (body[offset] & 0xFF) << 8 | (body[offset + 1] & 0xFF);
            int available = body.length - offset - LENGTH_SIZE;
            if (available < length) {
                throw new VerificationException(
                        "bundle entry " + count + " is " + available + " bytes, want " + length);
            }
            prefixes[count] = offset;
            offset += LENGTH_SIZE + length;
            count++;
        }
        if (count == 0) {
            throw new VerificationException("bundle has no entries");
        }
        prefixes[count] = offset;
        return new EntryBundle(body.clone(), Arrays.copyOf(prefixes, count + 1));
    }

    /**
     * Parses an untrusted bundle that must hold exactly {@code width} entries: the width of the tile
     * whose entries path it was fetched from (tlog-tiles, "Log entries").
     *
     * @throws IllegalArgumentException if {@code width} is not in 1..256
     * @throws VerificationException if the body does not parse or holds a different number of entries
     */
    public static EntryBundle parse(byte[] body, int width) throws VerificationException {
        if (width < 1 || width > Tile.WIDTH) {
            throw new IllegalArgumentException("bundle width " + width + " not in [1, " + Tile.WIDTH + "]");
        }
        EntryBundle bundle = parse(body);
        if (bundle.size() != width) {
            throw new VerificationException("bundle has " + bundle.size() + " entries, want " + width);
        }
        return bundle;
    }

    /** The number of entries, 1 to 256. */
    public int size() {
        return prefixes.length - 1;
    }

    /** A copy of entry {@code i}; requires {@code 0 <= i < size()}. */
    public byte[] entry(int i) {
        return Arrays.copyOfRange(body, prefixes[checkIndex(i)] + LENGTH_SIZE, prefixes[i + 1]);
    }

    /** Copies of every entry, in order. */
    public List<byte[]> entries() {
        List<byte[]> entries = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            entries.add(entry(i));
        }
        return List.copyOf(entries);
    }

    /** The RFC 9162 leaf hash of entry {@code i}; requires {@code 0 <= i < size()}. */
    public Hash leafHash(int i) {
        int start = prefixes[checkIndex(i)] + LENGTH_SIZE;
        return Rfc6962.hashLeaf(body, start, prefixes[i + 1] - start);
    }

    /** The leaf hashes of every entry, in order: what the matching level-0 tile must hold. */
    public List<Hash> leafHashes() {
        List<Hash> hashes = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            hashes.add(leafHash(i));
        }
        return List.copyOf(hashes);
    }

    /** The encoded bundle, a fresh copy. */
    public byte[] toByteArray() {
        return body.clone();
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new IllegalArgumentException("entry " + i + " not in bundle of " + size());
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EntryBundle other && Arrays.equals(body, other.body);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(body);
    }

    /** The entry count and encoded size, not the contents. */
    @Override
    public String toString() {
        return "EntryBundle[" + size() + " entries, " + body.length + " bytes]";
    }
}
