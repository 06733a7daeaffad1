package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.verifierclient.internal.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the monitor keeps across restarts, saved whole with {@link AtomicFile} (temp file, fsync,
 * rename): the last verified checkpoint note, the compact range at its size and the inventory's
 * length then; and the catch-up position beyond it (entries hashed and recorded but not yet
 * checked against a signed root), with the inventory's length at that position.
 *
 * @param verifiedNote the last verified checkpoint's signed note, or null before the first
 * @param verified the compact range at the verified size
 * @param verifiedInventory the inventory's length in bytes at the verified size
 * @param position the compact range at the catch-up position, at least the verified size
 * @param positionInventory the inventory's length in bytes at the position
 */
record MonitorState(String verifiedNote, CompactRange verified, long verifiedInventory, CompactRange position,
        long positionInventory) {
    static final String FILE = "monitor-state";
    private static final String MAGIC = "agentledger monitor state v1";

    /** The state of a monitor that has seen nothing. */
    static MonitorState empty() {
        return new MonitorState(null, CompactRange.empty(), 0, CompactRange.empty(), 0);
    }

    /** The same verified part, with the position moved. */
    MonitorState at(CompactRange newPosition, long inventoryLength) {
        return new MonitorState(verifiedNote, verified, verifiedInventory, newPosition, inventoryLength);
    }

    /** Position and verified part both at a newly verified checkpoint. */
    static MonitorState verified(String note, CompactRange range, long inventoryLength) {
        return new MonitorState(note, range, inventoryLength, range, inventoryLength);
    }

    /** The position dropped back to the verified part. */
    MonitorState rewound() {
        return new MonitorState(verifiedNote, verified, verifiedInventory, verified, verifiedInventory);
    }

    void save(Path dir) throws IOException {
        StringBuilder out = new StringBuilder(MAGIC).append('\n');
        if (verifiedNote == null) {
            out.append("verified-note none\n");
        } else {
            out.append("verified-note ").append(verifiedNote.getBytes(StandardCharsets.UTF_8).length).append('\n')
                    .append(verifiedNote);
        }
        range(out, "verified-range", verified);
        out.append("verified-inventory ").append(verifiedInventory).append('\n');
        range(out, "position-range", position);
        out.append("position-inventory ").append(positionInventory).append('\n');
        AtomicFile.write(dir.resolve(FILE), out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void range(StringBuilder out, String name, CompactRange range) {
        out.append(name).append(' ').append(range.size());
        for (Hash hash : range.hashes()) {
            out.append(' ').append(hash.toHex());
        }
        out.append('\n');
    }

    /**
     * Loads the state saved in {@code dir}, or the empty state if there is none.
     *
     * @throws IOException if the file cannot be read or is not a state this class wrote
     */
    static MonitorState load(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException("monitor state " + file + " is damaged (" + e.getMessage()
                    + "): move the state directory away to start over", e);
        }
    }

    private static MonitorState parse(byte[] bytes) {
        Reader in = new Reader(bytes);
        if (!in.line().equals(MAGIC)) {
            throw new IllegalArgumentException("does not start with \"" + MAGIC + "\"");
        }
        String length = in.field("verified-note");
        String note = null;
        if (!length.equals("none")) {
            note = in.bytes(Integer.parseInt(length));
        }
        CompactRange verified = parseRange(in.field("verified-range"));
        long verifiedInventory = Long.parseLong(in.field("verified-inventory"));
        CompactRange position = parseRange(in.field("position-range"));
        long positionInventory = Long.parseLong(in.field("position-inventory"));
        if (!in.atEnd()) {
            throw new IllegalArgumentException("trailing data");
        }
        if (position.size() < verified.size() || positionInventory < verifiedInventory) {
            throw new IllegalArgumentException("position " + position.size() + " behind the verified size "
                    + verified.size());
        }
        return new MonitorState(note, verified, verifiedInventory, position, positionInventory);
    }

    private static CompactRange parseRange(String field) {
        String[] parts = field.split(" ");
        List<Hash> hashes = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            hashes.add(Hash.fromHex(parts[i]));
        }
        return CompactRange.of(Long.parseLong(parts[0]), hashes);
    }

    /** Reads lines and a length-prefixed note out of the file's bytes. */
    private static final class Reader {
        private final byte[] bytes;
        private int at;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        String line() {
            int end = at;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == bytes.length) {
                throw new IllegalArgumentException("truncated");
            }
            String line = new String(bytes, at, end - at, StandardCharsets.UTF_8);
            at = end + 1;
            return line;
        }

        String field(String name) {
            String line = line();
            if (!line.startsWith(name + " ")) {
                throw new IllegalArgumentException("line \"" + line + "\", want " + name);
            }
            return line.substring(name.length() + 1);
        }

        String bytes(int length) {
            if (length < 0 || length > bytes.length - at) {
                throw new IllegalArgumentException("truncated note");
            }
            String text = new String(bytes, at, length, StandardCharsets.UTF_8);
            at += length;
            return text;
        }

        boolean atEnd() {
            return at == bytes.length;
        }
    }
}
