package dev.agentledger.ledger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The index that lookups read: {@link IndexKey} (SPIFFE ID, certificate serial, token id) → the
 * entries that carry it. Its rows live in the store's {@code indexes} family, but they are not
 * written with their entries.
 *
 * <p>Why: the rows are keyed by value, so they arrive in random order, and RocksDB inserting them
 * into its skip-list memtable took a fifth of the server's CPU under load (BENCHMARKS.md, server
 * section). As {@link LeafIndex} does for leaf hashes, the newest entries' rows are held in memory
 * in segments (each distinct key's bytes once, its rows chained newest first, and an
 * open-addressing table over the keys). A full segment is sorted on a background thread and added
 * to the store as one table file ({@link Store#ingestKeyRows}); the store then records how many
 * entries have their rows, and the segment is dropped.
 *
 * <p>The index is derived data: every entry is in the store, and the {@link EntryIndexer} says
 * which keys it has. So a crash loses nothing: {@link #open} rebuilds the segments of the entries
 * past the store's record from the entries themselves. A clean {@link #close} first adds every
 * segment, so a store closed cleanly has every entry's rows.
 *
 * <p>Threads: {@link #add} and {@link #catchUp} are called by one thread at a time (the
 * sequencer), {@link #lookup} by any. A segment is read and written under its own lock; the
 * sequencer takes it once per batch. Rows move from the active segment to the sealed ones and
 * then to the store, and a lookup reads them in that order, so it finds every row at least once.
 */
final class KeyIndex implements AutoCloseable {
    /**
     * Rows per segment at most. An entry of {@link Ledger#MAX_ENTRY_BYTES} holds fewer than 2^14
     * keys (each at least 4 bytes of it), so it always fits an empty segment.
     */
    static final int MAX_SEGMENT_ROWS = 1 << 18;
    /** Bytes of distinct keys per segment at most (an entry's keys are fewer bytes than the entry). */
    static final int MAX_SEGMENT_KEY_BYTES = 16 << 20;

    private final Store store;
    private final EntryIndexer indexer;
    private final LedgerMetrics metrics;
    private final int segmentEntries;
    /** Full segments whose rows are not in the store yet. */
    private final SealedSegments<Segment> sealed = new SealedSegments<>("ledger-key-index", this::ingest);
    /** The segment being filled. Written by the sequencer only. */
    private volatile Segment active;

    private KeyIndex(Store store, EntryIndexer indexer, LedgerMetrics metrics, int segmentEntries, long first) {
        if (segmentEntries < 1 || segmentEntries > 1 << 24) {
            throw new IllegalArgumentException("a key-index segment holds 1 to 2^24 entries, not " + segmentEntries);
        }
        this.store = store;
        this.indexer = indexer;
        this.metrics = metrics;
        this.segmentEntries = segmentEntries;
        this.active = new Segment(first, segmentEntries);
    }

    /**
     * The index of {@code store}, whose tree has {@code size} entries: the entries past the store's
     * record are read and indexed again into segments, and full ones are queued to be added to the store.
     *
     * @param indexer says which keys each entry has, as it said when the entry was appended
     * @param metrics told of each segment added to the store, and of each failure to
     * @throws StorageException if the store cannot be read, or records more indexed entries than
     *     the tree has
     */
    static KeyIndex open(Store store, long size, EntryIndexer indexer, LedgerMetrics metrics, int segmentEntries) {
        KeyIndex index = new KeyIndex(store, indexer, metrics, segmentEntries, store.keyRowsReach(size));
        index.catchUp(size);
        return index;
    }

    /** The index after the last entry held: entries from here on are not in the index yet. */
    long end() {
        Segment s = active;
        return s.first + s.entries();
    }

    /** The row prefixes ({@link Store#indexPrefix}) of one entry's keys, as {@link #add} takes them. */
    static byte[][] prefixes(List<IndexKey> keys) {
        byte[][] prefixes = new byte[keys.size()][];
        for (int i = 0; i < prefixes.length; i++) {
            prefixes[i] = Store.indexPrefix(keys.get(i));
        }
        return prefixes;
    }

    /**
     * Adds the keys of entries logged at consecutive indexes from {@code first} (one array of
     * {@link #prefixes} per entry, possibly empty), once they are durable and before any checkpoint
     * that holds them is published: a lookup that knows of a checkpoint finds every entry in it.
     *
     * @throws IllegalStateException if {@code first} is not {@link #end}: an entry would be skipped
     *     or held twice
     */
    void add(long first, List<byte[][]> prefixes) {
        if (first != end()) {
            throw new IllegalStateException("entries from " + first + " added to a key index that ends at " + end());
        }
        for (int done = 0; done < prefixes.size(); ) {
            done += active.addAll(prefixes, done);
            if (done < prefixes.size()) {
                seal();
            }
        }
    }

    /**
     * Adds the entries {@code [end(), size)} from the store: after an open, and after the tree is
     * reloaded from the store (a failed batch's write may have been durable all the same).
     *
     * @throws StorageException if the store cannot be read, or its tree is smaller than the index
     */
    void catchUp(long size) {
        if (size < end()) {
            throw new StorageException("corrupted store: a tree of " + size + " entries, where " + end() + " were committed");
        }
        for (long first = end(); first < size; first = end()) {
            int n = (int) Math.min(4096, size - first);
            List<byte[]> entries = store.entryRange(first, n); // all n, or it throws
            List<byte[][]> keys = new ArrayList<>(n);
            for (byte[] entry : entries) {
                keys.add(prefixes(keysOf(entry)));
            }
            add(first, keys);
        }
    }

    private List<IndexKey> keysOf(byte[] entry) {
        try {
            return indexer.keys(entry);
        } catch (InvalidEntryException e) {
            // Logged under another indexer (an opaque log opened as the product's): it stays
            // logged, and has no keys here, as it would have had none if appended now.
            return List.of();
        }
    }

    /**
     * Up to {@code limit} indexes, ascending, of the entries below {@code below} that carry {@code
     * key}, from {@code fromIndex} on.
     */
    List<Long> lookup(IndexKey key, long fromIndex, long below, int limit) {
        byte[] prefix = Store.indexPrefix(key);
        // The order matters: rows move from the active segment to the sealed ones, then to the store.
        Segment current = active;
        List<Segment> waiting = sealed.list();
        TreeSet<Long> found = new TreeSet<>(store.lookup(key, fromIndex, limit));
        for (Segment s : waiting) {
            s.collect(prefix, fromIndex, below, found);
        }
        current.collect(prefix, fromIndex, below, found);
        List<Long> out = new ArrayList<>(Math.min(limit, found.size()));
        for (Long index : found) {
            if (index >= below || out.size() == limit) {
                break;
            }
            out.add(index);
        }
        return out;
    }

    private void seal() {
        Segment full = active;
        // Listed as sealed before it stops being the active one, so a lookup always sees it.
        sealed.add(full);
        active = new Segment(full.first + full.entries(), segmentEntries);
    }

    /** Adds a sealed segment's rows to the store (on the background thread); false if the store refused them. */
    private boolean ingest(Segment s) {
        long start = System.nanoTime();
        Segment.Rows rows = s.sortedRows();
        try {
            store.ingestKeyRows(rows.bytes(), rows.ends(), s.first + s.entries());
        } catch (StorageException e) {
            // A full disk or a closed store: the sequencer's writes fail as well, and say why.
            metrics.keyRowsFailed();
            return false;
        }
        metrics.keyRowsAdded(rows.ends().length, System.nanoTime() - start);
        return true;
    }

    /**
     * Adds every entry's rows held to the store, after the sequencer has stopped. If that fails,
     * the next open rebuilds them from the entries.
     */
    @Override
    public void close() {
        if (active.entries() > 0) {
            seal();
        }
        sealed.close();
    }

    /**
     * The keys of consecutive entries from {@code first}. Each distinct key's prefix ({@link
     * Store#indexPrefix}) is kept once with its newest row; each row (a key in an entry) holds its
     * entry and the key's previous row, so a key's rows form a chain from the newest. Adding and looking
     * up take the segment's lock; sorting a sealed segment does not need it (see {@link #sortedRows}).
     */
    static final class Segment {
        final long first;
        private final int maxEntries;
        private int entries;
        /** The distinct keys' prefixes, one after another; {@code keyAt[k]} is where key {@code k} starts. */
        private byte[] keyBytes = new byte[4096];
        private int keyBytesUsed;
        private int[] keyAt = new int[256];
        private int[] keyHash = new int[256];
        /** The newest row of each key. */
        private int[] keyLastRow = new int[256];
        private int keys;
        /** Key + 1 in the slot its hash points at or the next free one after it; 0 is free. At most half full. */
        private int[] slots = new int[512];
        private int[] rowEntry = new int[1024];
        /** The previous row of the same key, or -1. */
        private int[] rowPrev = new int[1024];
        private int rows;

        Segment(long first, int maxEntries) {
            this.first = first;
            this.maxEntries = maxEntries;
        }

        synchronized int entries() {
            return entries;
        }

        /**
         * Adds entries {@code from, from + 1, ...} of {@code prefixes} (each entry's key prefixes)
         * while they fit, and returns how many it added: 0 only if this segment is full.
         */
        synchronized int addAll(List<byte[][]> prefixes, int from) {
            int added = 0;
            for (int e = from; e < prefixes.size(); e++) {
                byte[][] entryKeys = prefixes.get(e);
                int bytes = 0;
                for (byte[] p : entryKeys) {
                    bytes += p.length;
                }
                boolean fits = entries < maxEntries
                        && (entries == 0 || (rows + entryKeys.length <= MAX_SEGMENT_ROWS && keyBytesUsed + bytes <= MAX_SEGMENT_KEY_BYTES));
                if (!fits) {
                    break;
                }
                for (byte[] p : entryKeys) {
                    addRow(p, entries);
                }
                entries++;
                added++;
            }
            return added;
        }

        private void addRow(byte[] prefix, int entry) {
            int hash = Arrays.hashCode(prefix);
            int slot = slotOf(prefix, hash);
            int key = slots[slot] - 1;
            if (key < 0) {
                key = newKey(prefix, hash);
                slots[slot] = key + 1;
                if (keys * 2 > slots.length) {
                    rehash();
                }
            } else if (rowEntry[keyLastRow[key]] == entry) {
                return; // the same key twice in one entry: one row
            }
            if (rows == rowEntry.length) {
                int grown = rows * 2;
                rowEntry = Arrays.copyOf(rowEntry, grown);
                rowPrev = Arrays.copyOf(rowPrev, grown);
            }
            rowEntry[rows] = entry;
            rowPrev[rows] = keyLastRow[key];
            keyLastRow[key] = rows;
            rows++;
        }

        private int newKey(byte[] prefix, int hash) {
            if (keys == keyAt.length) {
                int grown = keys * 2;
                keyAt = Arrays.copyOf(keyAt, grown);
                keyHash = Arrays.copyOf(keyHash, grown);
                keyLastRow = Arrays.copyOf(keyLastRow, grown);
            }
            if (keyBytes.length - keyBytesUsed < prefix.length) {
                keyBytes = Arrays.copyOf(keyBytes, Math.max(keyBytes.length * 2, keyBytesUsed + prefix.length));
            }
            System.arraycopy(prefix, 0, keyBytes, keyBytesUsed, prefix.length);
            keyAt[keys] = keyBytesUsed;
            keyHash[keys] = hash;
            keyLastRow[keys] = -1;
            keyBytesUsed += prefix.length;
            return keys++;
        }

        private void rehash() {
            int[] grown = new int[slots.length * 2];
            int mask = grown.length - 1;
            for (int k = 0; k < keys; k++) {
                int slot = spread(keyHash[k]) & mask;
                while (grown[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                grown[slot] = k + 1;
            }
            slots = grown;
        }

        private static int spread(int hash) {
            return hash ^ (hash >>> 16);
        }

        private int keyLength(int k) {
            int at = keyAt[k];
            return 3 + (((keyBytes[at + 1] & 0xff) << 8) | (keyBytes[at + 2] & 0xff));
        }

        private boolean sameKey(int k, byte[] prefix) {
            int at = keyAt[k];
            return keyLength(k) == prefix.length && Arrays.equals(keyBytes, at, at + prefix.length, prefix, 0, prefix.length);
        }

        /** The slot that holds key {@code prefix} (whose hash is {@code hash}), or the free slot where it would go. */
        private int slotOf(byte[] prefix, int hash) {
            int mask = slots.length - 1;
            int slot = spread(hash) & mask;
            while (slots[slot] != 0 && !(keyHash[slots[slot] - 1] == hash && sameKey(slots[slot] - 1, prefix))) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        /** Adds to {@code into} the indexes in {@code [fromIndex, below)} of this segment's entries with key {@code prefix}. */
        synchronized void collect(byte[] prefix, long fromIndex, long below, TreeSet<Long> into) {
            int k = slots[slotOf(prefix, Arrays.hashCode(prefix))] - 1;
            if (k < 0) {
                return;
            }
            for (int row = keyLastRow[k]; row >= 0; row = rowPrev[row]) {
                long index = first + rowEntry[row];
                if (index < fromIndex) {
                    break; // the chain runs newest first
                }
                if (index < below) {
                    into.add(index);
                }
            }
        }

        /** Bytes of a key compared per round of {@link #sortKeys}; the rest of the long is the key's position. */
        private static final int CHUNK = 5;

        /**
         * Sorts the keys {@code order[from, to)}, whose first {@code depth} bytes are equal, in
         * unsigned byte order. Keys share long prefixes (every SPIFFE ID of a trust domain), so:
         * skip the prefix all of them share, sort them as longs by their next {@value #CHUNK}
         * bytes (with their position in the low bits), then sort each run that ties on those bytes
         * the same way from there. Keys that tie on their first three bytes (kind and value length)
         * have the same length, so the zeros read past the end of a key never decide an order.
         */
        private void sortKeys(int[] order, int from, int to, int depth) {
            int n = to - from;
            if (n < 2) {
                return;
            }
            depth += sharedPrefix(order, from, to, depth);
            long[] packed = new long[n];
            for (int i = 0; i < n; i++) {
                packed[i] = (chunk(order[from + i], depth) << 24 | i) ^ Long.MIN_VALUE; // signed order = unsigned
            }
            Arrays.sort(packed);
            int[] before = Arrays.copyOfRange(order, from, to);
            for (int i = 0; i < n; i++) {
                order[from + i] = before[(int) (packed[i] & 0xffffff)];
            }
            for (int start = 0, end; start < n; start = end) {
                long run = packed[start] >>> 24;
                for (end = start + 1; end < n && packed[end] >>> 24 == run; end++) {
                    // the keys that tie on this chunk
                }
                if (end - start > 1 && keyLength(order[from + start]) > depth + CHUNK) {
                    sortKeys(order, from + start, from + end, depth + CHUNK);
                }
            }
        }

        /** How many bytes from {@code depth} on every key of {@code order[from, to)} shares (0 before the length is known equal). */
        private int sharedPrefix(int[] order, int from, int to, int depth) {
            if (depth < 3) {
                return 0;
            }
            int first = order[from];
            int length = keyLength(first) - depth;
            int at = keyAt[first] + depth;
            for (int i = from + 1; i < to && length > 0; i++) {
                int other = keyAt[order[i]] + depth;
                int differ = Arrays.mismatch(keyBytes, at, at + length, keyBytes, other, other + length);
                if (differ >= 0) {
                    length = differ;
                }
            }
            return length;
        }

        /** Bytes {@code [depth, depth + CHUNK)} of key {@code k} as a number, zeros past its end. */
        private long chunk(int k, int depth) {
            int at = keyAt[k];
            int end = keyLength(k);
            long value = 0;
            for (int i = depth; i < depth + CHUNK; i++) {
                value = value << 8 | (i < end ? keyBytes[at + i] & 0xff : 0);
            }
            return value;
        }

        /** Rows laid out for {@link Store#ingestKeyRows}: row {@code i} is {@code bytes[ends[i - 1], ends[i])}. */
        record Rows(byte[] bytes, int[] ends) {}

        /**
         * The segment's rows of the {@code indexes} family ({@link Store#indexRowKey}) in the
         * unsigned byte order the store's table files need: the distinct keys sorted, and each
         * key's rows by index. Keys never tie, and no key is a prefix of another (the value's
         * length comes before it), so this is the order of the whole rows.
         *
         * <p>Called on a sealed segment, which no longer changes (and was published to the calling
         * thread through {@link SealedSegments}), so without the lock: lookups in the segment are
         * not held up while it sorts.
         */
        Rows sortedRows() {
            int[] order = new int[keys];
            for (int k = 0; k < keys; k++) {
                order[k] = k;
            }
            sortKeys(order, 0, keys, 0);
            int[] rowsOfKey = new int[keys];
            long total = 0;
            for (int k = 0; k < keys; k++) {
                for (int row = keyLastRow[k]; row >= 0; row = rowPrev[row]) {
                    rowsOfKey[k]++;
                }
                total += rowsOfKey[k] * (keyLength(k) + 8L);
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(total));
            int[] ends = new int[rows];
            int at = 0;
            int written = 0;
            for (int k : order) {
                // The key's rows are written oldest first; its chain runs newest first.
                int rowLength = keyLength(k) + 8;
                int i = rowsOfKey[k] - 1;
                for (int row = keyLastRow[k]; row >= 0; row = rowPrev[row], i--) {
                    int start = at + i * rowLength;
                    out.put(start, keyBytes, keyAt[k], rowLength - 8).putLong(start + rowLength - 8, first + rowEntry[row]);
                    ends[written + i] = start + rowLength;
                }
                at += rowsOfKey[k] * rowLength;
                written += rowsOfKey[k];
            }
            return new Rows(out.array(), ends);
        }
    }
}
