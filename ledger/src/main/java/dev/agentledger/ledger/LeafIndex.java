package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.tiles.Tile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * The leaf-hash index that dedupe reads: leaf hash → the first index logged with it. Its rows live
 * in the store's {@code leaves} family, but they are not written with their entries.
 *
 * <p>Why: the rows are keyed by hash, so they arrive in random order. Written with every batch,
 * they went through RocksDB's memtable and were sorted there at every flush, which cost about as
 * much CPU as everything else the store does per entry (BENCHMARKS.md, ledger section). Here the
 * newest leaves are held in memory in segments of up to {@code segmentLeaves} leaves each (their
 * hashes in index order, and an open-addressing table over them). A full segment is sealed and
 * handed to a background thread, which sorts its rows and adds them to the store as one table file
 * ({@link Store#ingestLeafRows}); the store then records how many leaves have their rows, and the
 * segment is dropped.
 *
 * <p>The index is derived data: every leaf hash is also in the store's {@code nodes} family
 * (level 0), committed with its entry. So a crash loses nothing: {@link #open} rebuilds the
 * segments of the leaves past the store's record from there. A clean {@link #close} first adds
 * every segment, so a store closed cleanly has every leaf's row.
 *
 * <p>Threads: {@link #add}, {@link #indexOf} and {@link #catchUp} are called by one thread at a
 * time (the sequencer); the background thread reads sealed segments only, which never change.
 * Memory: at most a segment being filled plus those waiting for the background thread, 40 bytes per
 * leaf; the thread takes one in well under the time the next one takes to fill.
 */
final class LeafIndex implements AutoCloseable {
    /** Leaves per segment unless told: 5 MiB of hashes and table, one table file of 5 MiB. */
    static final int DEFAULT_SEGMENT_LEAVES = 1 << 17;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Store store;
    private final LedgerMetrics metrics;
    private final int segmentLeaves;
    /** Full segments whose rows are not in the store yet. */
    private final SealedSegments<Segment> sealed = new SealedSegments<>("ledger-leaf-index", this::ingest);
    /** The segment being filled; the sequencer's. */
    private Segment active;

    private LeafIndex(Store store, LedgerMetrics metrics, int segmentLeaves, long first) {
        if (segmentLeaves < 1 || segmentLeaves > 1 << 24) {
            throw new IllegalArgumentException("a leaf-index segment holds 1 to 2^24 leaves, not " + segmentLeaves);
        }
        this.store = store;
        this.metrics = metrics;
        this.segmentLeaves = segmentLeaves;
        this.active = new Segment(first, segmentLeaves);
    }

    /**
     * The index of {@code store}, whose tree has {@code size} leaves: the leaves past the store's
     * record are read from its nodes into segments, and full ones are queued to be added to the store.
     *
     * @param metrics told of each segment added to the store, and of each failure to
     * @throws StorageException if the store cannot be read, or records more indexed leaves than
     *     the tree has
     */
    static LeafIndex open(Store store, long size, LedgerMetrics metrics, int segmentLeaves) {
        LeafIndex index = new LeafIndex(store, metrics, segmentLeaves, store.leafRowsReach(size));
        index.catchUp(size);
        return index;
    }

    /** The index after the last leaf held: leaves from here on are not in the index yet. */
    long end() {
        return active.first + active.count;
    }

    /**
     * Adds {@code leaves}, logged at consecutive indexes from {@code first}, once they are durable.
     *
     * @throws IllegalStateException if {@code first} is not {@link #end}: a leaf would be skipped
     *     or held twice
     */
    void add(long first, List<Hash> leaves) {
        if (first != end()) {
            throw new IllegalStateException("leaves from " + first + " added to a leaf-hash index that ends at " + end());
        }
        for (Hash leaf : leaves) {
            if (active.isFull()) {
                seal();
            }
            active.add(leaf);
        }
    }

    /**
     * Adds the leaves {@code [end(), size)} from the store's nodes: after an open, and after the
     * tree is reloaded from the store (a failed batch's write may have been durable all the same).
     *
     * @throws StorageException if the store cannot be read, or its tree is smaller than the index
     */
    void catchUp(long size) {
        if (size < end()) {
            throw new StorageException("corrupted store: a tree of " + size + " leaves, where " + end() + " were committed");
        }
        for (long first = end(); first < size; first = end()) {
            int n = (int) Math.min(Tile.WIDTH * 16, size - first);
            byte[] hashes = store.nodeRow(0, first, n);
            List<Hash> leaves = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                leaves.add(Hash.of(hashes, i * Hash.SIZE));
            }
            add(first, leaves);
        }
    }

    /** The index of the first entry logged with leaf hash {@code leaf}, if any. */
    OptionalLong indexOf(Hash leaf) {
        // Read before the store: a segment whose rows the store takes in meanwhile is still in this list.
        List<Segment> waiting = sealed.list();
        OptionalLong stored = store.indexOfLeaf(leaf);
        if (stored.isPresent()) {
            return stored;
        }
        byte[] key = leaf.toByteArray();
        for (Segment s : waiting) {
            int at = s.find(key);
            if (at >= 0) {
                return OptionalLong.of(s.first + at);
            }
        }
        int at = active.find(key);
        return at >= 0 ? OptionalLong.of(active.first + at) : OptionalLong.empty();
    }

    private void seal() {
        Segment full = active;
        active = new Segment(full.first + full.count, segmentLeaves);
        sealed.add(full);
    }

    /** Adds a sealed segment's rows to the store (on the background thread); false if the store refused them. */
    private boolean ingest(Segment s) {
        long start = System.nanoTime();
        try {
            store.ingestLeafRows(s.sortedRows(), s.first + s.count);
        } catch (StorageException e) {
            // A full disk or a closed store: the sequencer's writes fail as well, and say why.
            metrics.leafRowsFailed();
            return false;
        }
        metrics.leafRowsAdded(s.count, System.nanoTime() - start);
        return true;
    }

    /**
     * Adds every leaf held to the store, after the sequencer has stopped. If that fails, the next
     * open rebuilds them from the store's nodes.
     */
    @Override
    public void close() {
        if (active.count > 0) {
            seal();
        }
        sealed.close();
    }

    /** Consecutive leaves from {@code first}: their hashes in index order, and a table to find them by hash. */
    static final class Segment {
        final long first;
        /** 32 bytes per leaf, in index order. */
        final byte[] hashes;
        /** Position + 1 of a leaf, in the slot its hash's first four bytes point at or the next free one after it; 0 is free. */
        final int[] slots;
        int count;

        Segment(long first, int capacity) {
            this.first = first;
            this.hashes = new byte[capacity * Hash.SIZE];
            this.slots = new int[Integer.highestOneBit(capacity * 2 - 1) * 2]; // at most half full
        }

        boolean isFull() {
            return count * Hash.SIZE == hashes.length;
        }

        void add(Hash leaf) {
            int at = count * Hash.SIZE;
            leaf.copyTo(hashes, at);
            int mask = slots.length - 1;
            int slot = (int) INT.get(hashes, at) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = ++count;
        }

        /**
         * The position of the first leaf whose hash is {@code key}, or -1. Nothing is ever removed,
         * so of equal hashes the first added sits first along the probe.
         */
        int find(byte[] key) {
            int mask = slots.length - 1;
            for (int slot = (int) INT.get(key, 0) & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
                int at = (slots[slot] - 1) * Hash.SIZE;
                if (Arrays.equals(hashes, at, at + Hash.SIZE, key, 0, Hash.SIZE)) {
                    return slots[slot] - 1;
                }
            }
            return -1;
        }

        /**
         * The segment's rows of the {@code leaves} family (leaf hash || index, {@value
         * Store#LEAF_KEY_BYTES} bytes each) one after another, in the unsigned byte order the
         * store's table files need. Sorted as longs: each leaf's hash prefix with its position in
         * the bits below; leaves whose kept prefix bits are equal (the same hash logged twice, or
         * rarely two hashes) are then put in full order.
         */
        byte[] sortedRows() {
            int positionBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(count - 1));
            long positionMask = (1L << positionBits) - 1;
            long[] order = new long[count];
            for (int i = 0; i < count; i++) {
                long prefix = (long) LONG.get(hashes, i * Hash.SIZE);
                // Flipping the sign bit makes the signed sort of longs the unsigned order of the bytes.
                order[i] = ((prefix & ~positionMask) | i) ^ Long.MIN_VALUE;
            }
            Arrays.sort(order);
            for (int start = 0, end; start < count; start = end) {
                long kept = order[start] & ~positionMask;
                for (end = start + 1; end < count && (order[end] & ~positionMask) == kept; end++) {
                    // the run of leaves with these prefix bits
                }
                if (end - start > 1) {
                    Integer[] run = new Integer[end - start];
                    for (int k = start; k < end; k++) {
                        run[k - start] = (int) (order[k] & positionMask);
                    }
                    Arrays.sort(run, (a, b) -> {
                        int byHash = Arrays.compareUnsigned(hashes, a * Hash.SIZE, (a + 1) * Hash.SIZE, hashes, b * Hash.SIZE, (b + 1) * Hash.SIZE);
                        return byHash != 0 ? byHash : Integer.compare(a, b);
                    });
                    for (int k = start; k < end; k++) {
                        order[k] = kept | run[k - start];
                    }
                }
            }
            byte[] rows = new byte[count * Store.LEAF_KEY_BYTES];
            ByteBuffer out = ByteBuffer.wrap(rows);
            for (long o : order) {
                int i = (int) (o & positionMask);
                out.put(hashes, i * Hash.SIZE, Hash.SIZE).putLong(first + i);
            }
            return rows;
        }
    }
}
