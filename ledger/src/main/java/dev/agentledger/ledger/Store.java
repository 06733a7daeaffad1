package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.HashSkipListMemTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The log's RocksDB store: the one owner of the database, its options, column families, read and
 * write options and cache, closed in reverse order. No RocksDB type leaves this class; its
 * failures become {@link StorageException}.
 *
 * <p>Column families and keys (all integers big-endian, so keys sort by index):
 * <ul>
 *   <li>{@code entries}: index (8) → entry bytes.
 *   <li>{@code nodes}: level (1) || first index (8) → the 32-byte hashes of a run of consecutive
 *       complete subtrees of that level, leaves included. A batch appending leaves
 *       {@code [a, b)} completes exactly the nodes {@code [a >> l, b >> l)} of each level
 *       {@code l}, so it writes one run per level instead of one key per node; runs of a level
 *       never overlap and together cover every complete node. A node is found in the run with
 *       the greatest first index not above it. Tiles are rows of levels 0, 8, 16, ...; proofs
 *       read any level.
 *   <li>{@code checkpoints}: size (8) → the signed checkpoint note for that size.
 *   <li>{@code indexes}: kind (1) || value length (2) || value || index (8) → empty, for the
 *       {@link IndexKey.Kind}s (tags 1 to 3). Not written with the entries either: {@link KeyIndex}
 *       adds them later, sorted into one table file per segment ({@link #ingestKeyRows}), and
 *       {@code keys-indexed} in the default family says how many entries, from the first, have
 *       theirs (see {@link #keyRowsUpTo}).
 *   <li>{@code leaves}: leaf hash (32) || index (8) → empty, for deduplication. The rows are not
 *       written with their entries: {@link LeafIndex} adds them later, many leaves at a time
 *       sorted into one table file ({@link #ingestLeafRows}), and {@code leaves-indexed} in the
 *       default family says how many leaves, from the first, have theirs (see
 *       {@link #leafRowsUpTo}). Its prefix is the whole leaf hash, so a table file's Bloom filter
 *       holds one leaf's rows; only prefix seeks read it (one leaf's rows), and a scan across leaves
 *       needs {@code total_order_seek}. Stores written before this family kept these rows in
 *       {@code indexes} as kind 0; {@link #open} moves them here (see {@link #moveLegacyLeafRows}),
 *       the one write that goes through the family's memtable (kept in hash buckets by leaf hash,
 *       since its keys arrive in random order).
 *   <li>default: {@code tree} → size (8), the size of the tree the next batch extends; its
 *       compact range is read from {@code nodes}, its checkpoint from {@code checkpoints}.
 *       Stores written before appended the compact range hashes (32 each) to the size (still
 *       read) and kept a copy of the latest checkpoint note under {@code checkpoint} (no longer
 *       read).
 * </ul>
 *
 * <p>Durability contract: {@link #commit} returns only after the whole batch is in the synced
 * write-ahead log, atomically; a crash before that leaves none of it.
 */
final class Store implements AutoCloseable {
    /** The kind tag of leaf-hash rows in {@code indexes}, as stores before the {@code leaves} family wrote them. */
    static final byte LEGACY_LEAF_KIND = 0;
    /** Rows moved per atomic write by {@link #moveLegacyLeafRows}. */
    static final int LEGACY_MOVE_CHUNK = 4096;
    static final int LEAF_KEY_BYTES = Hash.SIZE + 8;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] TREE_KEY = "tree".getBytes(StandardCharsets.UTF_8);
    /** The default family's id, always 0 in RocksDB. */
    private static final int META_ID = 0;
    private static final byte[] AUDIT_MARK_KEY = "audited".getBytes(StandardCharsets.UTF_8);
    private static final byte[] LEAF_ROWS_KEY = "leaves-indexed".getBytes(StandardCharsets.UTF_8);
    private static final byte[] KEY_ROWS_KEY = "keys-indexed".getBytes(StandardCharsets.UTF_8);
    /** Where {@link #ingest} writes each index's table file before RocksDB takes it in (one thread per index). */
    private static final String LEAF_ROWS_FILE = "leaf-rows.ingest";
    private static final String KEY_ROWS_FILE = "key-rows.ingest";

    static {
        RocksDB.loadLibrary();
    }

    private final LRUCache cache;
    private final ColumnFamilyOptions columnOptions;
    private final BloomFilter leafFilter;
    private final ColumnFamilyOptions leafOptions;
    private final ColumnFamilyOptions keyOptions;
    private final DBOptions dbOptions;
    private final WriteOptions syncWrite;
    private final WriteOptions unsyncedWrite;
    private final ReadOptions read;
    private final Path directory;
    private final List<ColumnFamilyDescriptor> families;
    /** Readers hold it shared; {@link #reopen} holds it alone while it swaps the database. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean writeFailed;
    // Guarded by lock: replaced by reopen; null only if a reopen could not open the database again.
    private RocksDB db;
    private List<ColumnFamilyHandle> handles;
    private ColumnFamilyHandle meta;
    private ColumnFamilyHandle entries;
    private ColumnFamilyHandle nodes;
    private ColumnFamilyHandle checkpoints;
    private ColumnFamilyHandle indexes;
    private ColumnFamilyHandle leaves;
    // Column family ids, as written in serialized batches; RocksDB keeps them in the store's
    // manifest, so a reopen gives the same.
    private final int entriesId;
    private final int nodesId;
    private final int checkpointsId;

    private Store(
            LRUCache cache,
            ColumnFamilyOptions columnOptions,
            BloomFilter leafFilter,
            ColumnFamilyOptions leafOptions,
            ColumnFamilyOptions keyOptions,
            DBOptions dbOptions,
            WriteOptions syncWrite,
            WriteOptions unsyncedWrite,
            ReadOptions read,
            Path directory,
            List<ColumnFamilyDescriptor> families,
            RocksDB db,
            List<ColumnFamilyHandle> handles) {
        this.cache = cache;
        this.columnOptions = columnOptions;
        this.leafFilter = leafFilter;
        this.leafOptions = leafOptions;
        this.keyOptions = keyOptions;
        this.dbOptions = dbOptions;
        this.syncWrite = syncWrite;
        this.unsyncedWrite = unsyncedWrite;
        this.read = read;
        this.directory = directory;
        this.families = families;
        attach(db, handles);
        this.entriesId = entries.getID();
        this.nodesId = nodes.getID();
        this.checkpointsId = checkpoints.getID();
    }

    private void attach(RocksDB newDb, List<ColumnFamilyHandle> newHandles) {
        this.db = newDb;
        this.handles = newHandles;
        this.meta = newHandles.get(0);
        this.entries = newHandles.get(1);
        this.nodes = newHandles.get(2);
        this.checkpoints = newHandles.get(3);
        this.indexes = newHandles.get(4);
        this.leaves = newHandles.get(5);
    }

    /**
     * Opens (creating if needed) the store in {@code directory}, first moving the leaf-hash rows
     * of a store written before the {@code leaves} family into it.
     *
     * @throws StorageException if RocksDB cannot open the store, or a leaf-hash row to move is
     *     malformed
     */
    static Store open(Path directory) {
        LRUCache cache = null;
        ColumnFamilyOptions columnOptions = null;
        BloomFilter leafFilter = null;
        ColumnFamilyOptions leafOptions = null;
        ColumnFamilyOptions keyOptions = null;
        DBOptions dbOptions = null;
        WriteOptions syncWrite = null;
        WriteOptions unsyncedWrite = null;
        ReadOptions read = null;
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            cache = new LRUCache(64L << 20);
            columnOptions = new ColumnFamilyOptions()
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
            leafFilter = new BloomFilter(10);
            // The prefix is the whole leaf hash: a bucket of the memtable, and of the table files'
            // Bloom filters, holds the rows of one leaf, so a dedupe lookup of a new leaf mostly
            // reads no block at all.
            leafOptions = new ColumnFamilyOptions()
                    .useFixedLengthPrefixExtractor(Hash.SIZE)
                    // Hashes do not compress: compressing them only costs CPU.
                    .setCompressionType(org.rocksdb.CompressionType.NO_COMPRESSION)
                    .setMemTableConfig(new HashSkipListMemTableConfig())
                    .setTableFormatConfig(new BlockBasedTableConfig()
                            .setBlockCache(cache)
                            .setFilterPolicy(leafFilter)
                            .setWholeKeyFiltering(false));
            // Lookup rows share long prefixes, which the table files' blocks already store once per
            // run of keys: compressing them as well cost more than half as much CPU as sorting them.
            keyOptions = new ColumnFamilyOptions()
                    .setCompressionType(org.rocksdb.CompressionType.NO_COMPRESSION)
                    .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
            dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setParanoidChecks(true)
                    // Table files written by flushes and compactions bypass the page cache: copying
                    // them into it took about 8 % of the process's CPU here (BENCHMARKS.md, ledger).
                    // Reads still go through it and the block cache.
                    .setUseDirectIoForFlushAndCompaction(directWritesWork(directory))
                    // Only the skip list takes concurrent inserts; one thread writes anyway.
                    .setAllowConcurrentMemtableWrite(false);
            syncWrite = new WriteOptions().setSync(true);
            unsyncedWrite = new WriteOptions().setSync(false);
            read = new ReadOptions().setVerifyChecksums(true);
            List<ColumnFamilyDescriptor> families = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions),
                    new ColumnFamilyDescriptor(bytes("entries"), columnOptions),
                    new ColumnFamilyDescriptor(bytes("nodes"), columnOptions),
                    new ColumnFamilyDescriptor(bytes("checkpoints"), columnOptions),
                    new ColumnFamilyDescriptor(bytes("indexes"), keyOptions),
                    new ColumnFamilyDescriptor(bytes("leaves"), leafOptions));
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), families, handles);
            Store store = new Store(cache, columnOptions, leafFilter, leafOptions, keyOptions, dbOptions, syncWrite, unsyncedWrite, read, directory, families, db, handles);
            try {
                store.moveLegacyLeafRows();
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            return store;
        } catch (RocksDBException | java.io.IOException e) {
            handles.forEach(ColumnFamilyHandle::close);
            closeAll(read, unsyncedWrite, syncWrite, dbOptions, keyOptions, leafOptions, leafFilter, columnOptions, cache);
            throw new StorageException("cannot open the log store in " + directory + ": " + e.getMessage(), e);
        }
    }

    /**
     * The persisted tree state: size and compact range hashes, or empty for a new log. The
     * compact range is read from the {@code nodes} family (node {@code (l, (size >> l) - 1)} for
     * each set bit {@code l} of the size, largest first), unless the row is of a store written
     * before, which kept the hashes in it.
     *
     * @throws StorageException if the row is malformed or a node of the compact range is missing
     */
    Optional<TreeState> tree() {
        byte[] value = get(() -> meta, TREE_KEY);
        if (value == null) {
            return Optional.empty();
        }
        if (value.length < 8 || (value.length - 8) % Hash.SIZE != 0) {
            throw new StorageException("corrupted tree state: " + value.length + " bytes");
        }
        long size = ByteBuffer.wrap(value).getLong();
        if (size < 0) {
            throw new StorageException("corrupted tree state: size " + size);
        }
        List<Hash> border = new ArrayList<>();
        if (value.length == 8) {
            for (int level = 63 - Long.numberOfLeadingZeros(size); level >= 0; level--) {
                if ((size & (1L << level)) != 0) {
                    border.add(node(level, (size >>> level) - 1));
                }
            }
        }
        for (int at = 8; at < value.length; at += Hash.SIZE) {
            border.add(Hash.of(value, at));
        }
        return Optional.of(new TreeState(size, border));
    }

    /**
     * The signed checkpoint note stored for the tree's size, or empty for a new log or when the
     * log stopped between committing its last batch and storing that batch's checkpoint (see
     * {@link Sequencer}). Stores written before also kept a copy under {@code checkpoint} in the
     * default family; it is never read.
     */
    Optional<byte[]> latestCheckpoint() {
        byte[] value = get(() -> meta, TREE_KEY);
        return value == null || value.length < 8 ? Optional.empty() : checkpoint(ByteBuffer.wrap(value).getLong());
    }

    /** How far the store was last audited, as {@link StoreAudit} wrote it, or empty if never. */
    Optional<byte[]> auditMark() {
        return Optional.ofNullable(get(() -> meta, AUDIT_MARK_KEY));
    }

    /** The signed checkpoint note published for exactly {@code size}, if any. */
    Optional<byte[]> checkpoint(long size) {
        return Optional.ofNullable(get(() -> checkpoints, longKey(size)));
    }

    /** The signed checkpoint note with the greatest size below {@code size}, if any. */
    Optional<byte[]> checkpointBefore(long size) {
        if (size <= 0) {
            return Optional.empty();
        }
        try (Shared shared = shared(); RocksIterator it = db.newIterator(checkpoints, read)) {
            it.seekForPrev(longKey(size - 1));
            Optional<byte[]> found = it.isValid() && it.key().length == 8 ? Optional.of(it.value()) : Optional.empty();
            check(it);
            return found;
        }
    }

    /** The entry at {@code index}, if it exists. */
    Optional<byte[]> entry(long index) {
        return Optional.ofNullable(get(() -> entries, longKey(index)));
    }

    /**
     * The hash of the complete subtree at (level, index).
     *
     * @throws StorageException if it is not stored: the caller asked for a node the committed
     *     tree does not have, or the store lost it
     */
    Hash node(int level, long index) {
        byte[] row = nodeRow(level, index, 1);
        return Hash.of(row);
    }

    /**
     * Concatenates the hashes of {@code count} consecutive nodes of {@code level} starting at
     * {@code first}: the body of a tile, or one node.
     *
     * @throws StorageException if one of them is not stored or a run is corrupted
     */
    byte[] nodeRow(int level, long first, int count) {
        byte[] out = new byte[count * Hash.SIZE];
        int filled = 0;
        try (Shared shared = shared(); RocksIterator it = db.newIterator(nodes, read)) {
            // The run holding `first` starts at or before it; later runs follow in key order.
            for (it.seekForPrev(nodeKey(level, first)); it.isValid() && filled < count; it.next()) {
                ByteBuffer key = ByteBuffer.wrap(it.key());
                if (key.remaining() != 9 || key.get() != (byte) level) {
                    break;
                }
                long runStart = key.getLong();
                byte[] run = it.value();
                if (run.length == 0 || run.length % Hash.SIZE != 0) {
                    throw new StorageException("corrupted node run " + level + "/" + runStart + ": " + run.length + " bytes");
                }
                long want = first + filled;
                long skip = want - runStart;
                if (skip < 0) {
                    break; // a gap before this run
                }
                long inRun = run.length / Hash.SIZE - skip;
                if (inRun <= 0) {
                    if (filled > 0) {
                        break;
                    }
                    continue; // the run before `first` ends before it; the next may start at it
                }
                int take = (int) Math.min(inRun, count - filled);
                System.arraycopy(run, (int) (skip * Hash.SIZE), out, filled * Hash.SIZE, take * Hash.SIZE);
                filled += take;
            }
            check(it);
        }
        if (filled != count) {
            throw new StorageException("missing node " + level + "/" + (first + filled));
        }
        return out;
    }

    /** The {@code count} entries from {@code first}, in order: the body of an entry bundle. */
    List<byte[]> entryRange(long first, int count) {
        List<byte[]> out = new ArrayList<>(count);
        try (Shared shared = shared(); RocksIterator it = db.newIterator(entries, read)) {
            for (it.seek(longKey(first)); it.isValid() && out.size() < count; it.next()) {
                if (ByteBuffer.wrap(it.key()).getLong() != first + out.size()) {
                    break;
                }
                out.add(it.value());
            }
            check(it);
        }
        if (out.size() != count) {
            throw new StorageException("missing entry " + (first + out.size()));
        }
        return out;
    }

    /** The index of the first entry whose leaf hash is {@code leaf}, if any. */
    OptionalLong indexOfLeaf(Hash leaf) {
        byte[] start = leafKey(leaf, 0);
        try (ReadOptions oneLeaf = new ReadOptions().setVerifyChecksums(true).setPrefixSameAsStart(true);
                Shared shared = shared();
                RocksIterator it = db.newIterator(leaves, oneLeaf)) {
            it.seek(start);
            OptionalLong found = OptionalLong.empty();
            if (it.isValid()) {
                byte[] k = it.key();
                if (k.length == LEAF_KEY_BYTES && Arrays.equals(k, 0, Hash.SIZE, start, 0, Hash.SIZE)) {
                    found = OptionalLong.of(ByteBuffer.wrap(k, Hash.SIZE, 8).getLong());
                }
            }
            check(it);
            return found;
        }
    }

    /**
     * The first of entries {@code [first, first + leafHashes.length)} that has no row under its
     * leaf hash in the {@code leaves} family, or -1 if each has its row.
     */
    long firstWithoutLeafRow(long first, List<Hash> leafHashes) {
        List<byte[]> keys = new ArrayList<>(leafHashes.size());
        for (int i = 0; i < leafHashes.size(); i++) {
            keys.add(leafKey(leafHashes.get(i), first + i));
        }
        List<byte[]> found;
        try (Shared shared = shared()) {
            found = db.multiGetAsList(read, java.util.Collections.nCopies(keys.size(), leaves), keys);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read the log store: " + e.getMessage(), e);
        }
        for (int i = 0; i < found.size(); i++) {
            if (found.get(i) == null) {
                return first + i;
            }
        }
        return -1;
    }

    /**
     * Moves the leaf-hash rows of a store written before the {@code leaves} family (kind
     * {@value #LEGACY_LEAF_KIND} in {@code indexes}) into that family, {@value #LEGACY_MOVE_CHUNK}
     * rows per synced atomic write that both adds them there and deletes them here. A crash
     * between two writes leaves the rest in {@code indexes}, and the next open moves it; a store
     * with no such rows costs one seek. Runs before the sequencer starts, so nothing reads or
     * writes those rows meanwhile.
     */
    private void moveLegacyLeafRows() {
        byte[] start = {LEGACY_LEAF_KIND};
        boolean moved = false;
        while (true) {
            try (RocksIterator it = db.newIterator(indexes, read); WriteBatch chunk = new WriteBatch()) {
                byte[] last = null;
                int rows = 0;
                for (it.seek(start); it.isValid() && rows < LEGACY_MOVE_CHUNK; it.next()) {
                    byte[] k = it.key();
                    if (k[0] != LEGACY_LEAF_KIND) {
                        break;
                    }
                    // kind (1) || length (2) = 32 || leaf hash (32) || index (8)
                    if (k.length != 3 + LEAF_KEY_BYTES || k[1] != 0 || k[2] != Hash.SIZE) {
                        throw new StorageException("corrupted leaf-hash index row of " + k.length + " bytes in the indexes family");
                    }
                    chunk.put(leaves, Arrays.copyOfRange(k, 3, k.length), EMPTY);
                    last = k;
                    rows++;
                }
                check(it);
                if (rows == 0) {
                    break;
                }
                // Deletes [start, last]: last || 0x00 is the smallest key after last.
                chunk.deleteRange(indexes, start, Arrays.copyOf(last, last.length + 1));
                db.write(syncWrite, chunk);
                moved = true;
            } catch (RocksDBException e) {
                throw new StorageException("cannot move the leaf-hash index into its own column family: " + e.getMessage(), e);
            }
        }
        if (moved) {
            try {
                // Drops the deleted rows and their tombstones from the table files now, not at some later compaction.
                db.compactRange(indexes, start, new byte[] {LEGACY_LEAF_KIND + 1});
            } catch (RocksDBException e) {
                throw new StorageException("cannot compact the moved leaf-hash index: " + e.getMessage(), e);
            }
        }
    }

    /**
     * How many leaves, from the first, have their row in the {@code leaves} family, as
     * {@link #ingestLeafRows} or {@link #leafRowsReach} last recorded it; empty if never recorded (a store written before
     * the rows were ingested, which wrote every leaf's row with its entry).
     *
     * @throws StorageException if the record is malformed
     */
    OptionalLong leafRowsUpTo() {
        return rowsUpTo(LEAF_ROWS_KEY, "leaf-hash");
    }

    /**
     * How many entries, from the first, have their rows in the {@code indexes} family, as
     * {@link #ingestKeyRows} or {@link #keyRowsReach} last recorded it; empty if never recorded (a store written before
     * the rows were ingested, which wrote every entry's rows with it).
     *
     * @throws StorageException if the record is malformed
     */
    OptionalLong keyRowsUpTo() {
        return rowsUpTo(KEY_ROWS_KEY, "lookup");
    }

    /**
     * How many leaves, from the first, have their row in the {@code leaves} family, in a store whose
     * tree has {@code size}: the record, or {@code size} (recorded now) for a store written before
     * the record, which wrote every leaf's row with its entry.
     *
     * @throws StorageException if the record is malformed or beyond the tree
     */
    long leafRowsReach(long size) {
        return rowsReach(LEAF_ROWS_KEY, "leaf-hash", "leaves", size);
    }

    /**
     * How many entries, from the first, have their rows in the {@code indexes} family, in a store
     * whose tree has {@code size}: the record, or {@code size} (recorded now) for a store written
     * before the record, which wrote every entry's rows with it.
     *
     * @throws StorageException if the record is malformed or beyond the tree
     */
    long keyRowsReach(long size) {
        return rowsReach(KEY_ROWS_KEY, "lookup", "entries", size);
    }

    private long rowsReach(byte[] recordKey, String index, String units, long size) {
        OptionalLong recorded = rowsUpTo(recordKey, index);
        if (recorded.isEmpty()) {
            recordRowsUpTo(recordKey, size);
            return size;
        }
        if (recorded.getAsLong() > size) {
            throw new StorageException("corrupted store: its " + index + " index covers " + recorded.getAsLong() + " " + units
                    + " of a tree of " + size);
        }
        return recorded.getAsLong();
    }

    private OptionalLong rowsUpTo(byte[] recordKey, String index) {
        byte[] value = get(() -> meta, recordKey);
        if (value == null) {
            return OptionalLong.empty();
        }
        long upTo = value.length == 8 ? ByteBuffer.wrap(value).getLong() : -1;
        if (upTo < 0) {
            throw new StorageException("corrupted " + index + " index mark: " + value.length + " bytes, " + upTo);
        }
        return OptionalLong.of(upTo);
    }

    /**
     * Adds the {@code leaves} rows in {@code sortedRows} ({@value #LEAF_KEY_BYTES} bytes each, see
     * {@link #leafKey}; strictly increasing in unsigned byte order) as one table file, then records
     * that the first {@code upTo} leaves have their rows (see {@link #ingest}).
     *
     * @throws StorageException if the file cannot be written or taken in, or the record not written
     */
    void ingestLeafRows(byte[] sortedRows, long upTo) {
        if (sortedRows.length % LEAF_KEY_BYTES != 0) {
            throw new IllegalArgumentException("leaf rows are " + LEAF_KEY_BYTES + " bytes each, got " + sortedRows.length + " bytes");
        }
        int[] ends = new int[sortedRows.length / LEAF_KEY_BYTES];
        for (int i = 0; i < ends.length; i++) {
            ends[i] = (i + 1) * LEAF_KEY_BYTES;
        }
        ingest(() -> leaves, leafOptions, sortedRows, ends, LEAF_ROWS_FILE, "leaf-hash");
        recordRowsUpTo(LEAF_ROWS_KEY, upTo);
    }

    /**
     * Adds the {@code indexes} rows in {@code sortedRows} (row {@code i} ends at {@code ends[i]};
     * each as {@link #indexRowKey} lays it out; strictly increasing in unsigned byte order) as one
     * table file, then records that the first {@code upTo} entries have their rows (see {@link
     * #ingest}).
     *
     * @throws StorageException if the file cannot be written or taken in, or the record not written
     */
    void ingestKeyRows(byte[] sortedRows, int[] ends, long upTo) {
        ingest(() -> indexes, keyOptions, sortedRows, ends, KEY_ROWS_FILE, "lookup");
        recordRowsUpTo(KEY_ROWS_KEY, upTo);
    }

    /**
     * Writes the rows (keys with empty values; row {@code i} is {@code rows[ends[i - 1], ends[i])})
     * into one table file, {@code fileName} in the store's directory (one per index, since each
     * index has its own thread), and has RocksDB take it in as a whole (synced, atomic). The caller
     * then records how far the rows reach; a crash between the two leaves the record where it was,
     * and the rows are added again later: the same keys, so nothing changes.
     */
    private void ingest(Supplier<ColumnFamilyHandle> family, ColumnFamilyOptions familyOptions, byte[] rows, int[] ends, String fileName, String index) {
        if (ends.length == 0) {
            return; // entries without keys: nothing to add (and RocksDB writes no empty table file)
        }
        Path file = directory.resolve(fileName);
        try (Shared shared = shared();
                org.rocksdb.Options options = new org.rocksdb.Options(dbOptions, familyOptions);
                org.rocksdb.EnvOptions env = new org.rocksdb.EnvOptions();
                org.rocksdb.IngestExternalFileOptions ingest = new org.rocksdb.IngestExternalFileOptions().setMoveFiles(true)) {
            Files.deleteIfExists(file);
            try (org.rocksdb.SstFileWriter writer = new org.rocksdb.SstFileWriter(env, options)) {
                writer.open(file.toString());
                // Direct buffers go to RocksDB without the copy a byte array takes.
                int longest = 0;
                for (int i = 0, from = 0; i < ends.length; from = ends[i++]) {
                    longest = Math.max(longest, ends[i] - from);
                }
                ByteBuffer key = ByteBuffer.allocateDirect(longest);
                ByteBuffer empty = ByteBuffer.allocateDirect(0);
                for (int i = 0, from = 0; i < ends.length; from = ends[i++]) {
                    key.clear().put(rows, from, ends[i] - from).flip();
                    writer.put(key, empty.clear());
                }
                writer.finish();
            }
            db.ingestExternalFile(family.get(), List.of(file.toString()), ingest);
        } catch (RocksDBException | java.io.IOException e) {
            throw new StorageException("cannot add " + ends.length + " rows to the " + index + " index: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (java.io.IOException ignored) {
                // Replaced by the next ingest's file.
            }
        }
    }

    /** Records with a synced write how far an index's rows reach (read back by {@link #rowsUpTo}). */
    private void recordRowsUpTo(byte[] recordKey, long upTo) {
        try (Batch mark = newBatch()) {
            mark.putMeta(recordKey, longKey(upTo));
            commit(mark);
        }
    }

    /**
     * Whether the file system under {@code directory} takes writes that bypass the page cache
     * (O_DIRECT: ext4 and xfs do, tmpfs does not). RocksDB would fail every flush where it does not.
     */
    private static boolean directWritesWork(Path directory) {
        Path probe = directory.resolve("direct-io.probe");
        try (java.nio.channels.FileChannel ignored = java.nio.channels.FileChannel.open(probe, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (java.io.IOException ignored) {
                // Left behind; the next open tries it again.
            }
        }
    }

    /** Up to {@code limit} indexes of entries carrying {@code key}, from {@code fromIndex} on. */
    List<Long> lookup(IndexKey key, long fromIndex, int limit) {
        return lookup(key.kind().tag, key.value().getBytes(StandardCharsets.UTF_8), fromIndex, limit);
    }

    private List<Long> lookup(byte kind, byte[] value, long fromIndex, int limit) {
        byte[] prefix = indexPrefix(kind, value);
        List<Long> out = new ArrayList<>();
        try (ReadOptions bounded = new ReadOptions().setVerifyChecksums(true);
                Slice upper = new Slice(indexPrefixEnd(prefix))) {
            bounded.setIterateUpperBound(upper);
            try (Shared shared = shared(); RocksIterator it = db.newIterator(indexes, bounded)) {
                for (it.seek(indexKey(prefix, fromIndex)); it.isValid() && out.size() < limit; it.next()) {
                    byte[] k = it.key();
                    if (k.length != prefix.length + 8 || !Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) {
                        continue;
                    }
                    out.add(ByteBuffer.wrap(k, prefix.length, 8).getLong());
                }
                check(it);
            }
        }
        return out;
    }

    /** Starts a write batch; nothing in it is visible or durable until {@link #commit}. */
    Batch newBatch() {
        return new Batch();
    }

    /**
     * Writes a consistent copy of the store into {@code target}, which must not exist: a RocksDB
     * checkpoint (hard links to the immutable files where the file system allows, copies
     * otherwise), taken while appends go on. Every batch is one atomic write, so the copy holds
     * whole batches only.
     *
     * @throws StorageException if RocksDB cannot write the copy
     */
    void backup(java.nio.file.Path target) {
        try (org.rocksdb.Checkpoint checkpoint = org.rocksdb.Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new StorageException("cannot write a backup to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code batch} atomically without waiting for the disk: it is in the write-ahead log
     * behind every earlier write, and durable once a later {@link #commit} returns (or lost with
     * a crash before that, as a whole).
     *
     * @throws StorageException if the write fails; as for {@link #commit}, the caller must reload
     *     its state from the store before going on
     */
    void write(Batch batch) {
        write(unsyncedWrite, batch, "write to");
    }

    /**
     * Writes {@code batch} atomically and syncs the write-ahead log before returning.
     *
     * @throws StorageException if the write or the sync fails; the batch may or may not be
     *     persisted, so the caller must reload its state from the store before going on
     */
    void commit(Batch batch) {
        write(syncWrite, batch, "commit to");
    }

    /** Writes {@code batch} with {@code options}; a failure marks the store for a reopen and says it could not {@code verb} the store. */
    private void write(WriteOptions options, Batch batch, String verb) {
        try (Shared shared = shared(); WriteBatch writes = new WriteBatch(batch.serialized())) {
            db.write(options, writes);
        } catch (RocksDBException e) {
            writeFailed = true;
            throw new StorageException("cannot " + verb + " the log store: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a write failed since the database was opened. RocksDB then refuses every later
     * write (a full disk, an I/O error) until it is reopened: its Java binding has no resume.
     */
    boolean needsReopen() {
        return writeFailed;
    }

    /** The least free space on the store's file system for {@link #reopen} to try. */
    static final long MIN_FREE_TO_REOPEN = 4L << 20;

    /**
     * Closes and reopens the database (options, cache and read/write options stay), after a
     * failed write. Readers wait meanwhile. Its write-ahead log may now hold the batch whose
     * write failed, so the caller must reload its state from the store afterwards.
     *
     * @throws StorageException if the file system has less than {@value #MIN_FREE_TO_REOPEN}
     *     bytes free (the database stays as it is: readable, refusing writes), or the database
     *     cannot be opened again (reads fail until a later reopen succeeds)
     */
    void reopen() {
        long free;
        try {
            free = Files.getFileStore(directory).getUsableSpace();
        } catch (java.io.IOException e) {
            throw new StorageException("cannot tell the free space of " + directory + ": " + e.getMessage(), e);
        }
        if (free < MIN_FREE_TO_REOPEN) {
            throw new StorageException("the disk holding the log store is full (" + free + " bytes free in " + directory
                    + "); appends resume once " + MIN_FREE_TO_REOPEN + " bytes are free");
        }
        lock.writeLock().lock();
        try {
            detach();
            List<ColumnFamilyHandle> newHandles = new ArrayList<>();
            try {
                attach(RocksDB.open(dbOptions, directory.toString(), families, newHandles), newHandles);
            } catch (RocksDBException e) {
                newHandles.forEach(ColumnFamilyHandle::close);
                throw new StorageException("cannot reopen the log store in " + directory + ": " + e.getMessage(), e);
            }
            writeFailed = false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Closes the database and its handles; leaves the options. Requires the write lock. */
    private void detach() {
        if (db != null) {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            db = null;
        }
    }

    /** A shared hold of the lock around one use of the database. */
    private interface Shared extends AutoCloseable {
        @Override
        void close();
    }

    private Shared shared() {
        lock.readLock().lock();
        if (db == null) {
            lock.readLock().unlock();
            throw new StorageException("the log store in " + directory + " is closed: a reopen after a failed write failed; retrying on the next append");
        }
        return lock.readLock()::unlock;
    }

    /**
     * One atomic set of writes; a sequencing batch fills exactly one.
     *
     * <p>The rows are laid out directly in RocksDB's serialized write-batch form (its
     * {@code db/write_batch.cc}: a fixed64 sequence number, which the database assigns, a fixed32
     * row count, then per row the tag {@code kTypeValue} (1) for the default family or
     * {@code kTypeColumnFamilyValue} (5) followed by the family's id as a varint32, then key and
     * value, each a varint32 length and its bytes; fixed-width numbers little-endian), and handed
     * to RocksDB in one native call when written, instead of one call per row. RocksDB checks the
     * form when it writes (the count against the rows it finds), so a malformed batch is refused
     * whole.
     */
    final class Batch implements AutoCloseable {
        private static final int HEADER = 12;
        private static final byte TYPE_VALUE = 0x1;
        private static final byte TYPE_FAMILY_VALUE = 0x5;
        private byte[] rep = new byte[4096];
        private int length = HEADER;
        private int count;

        void putEntry(long index, byte[] entry) {
            put(entriesId, longKey(index), entry);
        }

        /** Stages the hashes of nodes {@code [first, first + n)} of {@code level}, 32 bytes each. */
        void putNodeRun(int level, long first, byte[] hashes) {
            if (hashes.length == 0 || hashes.length % Hash.SIZE != 0) {
                throw new IllegalArgumentException("a node run is a non-empty multiple of 32 bytes, got " + hashes.length);
            }
            put(nodesId, nodeKey(level, first), hashes);
        }

        /** Stages a row of the default family (records such as how far the derived rows reach). */
        private void putMeta(byte[] key, byte[] value) {
            put(META_ID, key, value);
        }

        /**
         * Records the new tree size. The compact range is not written again: its nodes are in the
         * {@code nodes} family, staged in the same batch.
         */
        void putTreeSize(long size) {
            put(META_ID, TREE_KEY, longKey(size));
        }

        /** Records the signed checkpoint note for {@code size}. */
        void putCheckpoint(long size, byte[] checkpointNote) {
            put(checkpointsId, longKey(size), checkpointNote);
        }

        /** Records how far the store has been audited (see {@link StoreAudit}). */
        void putAuditMark(byte[] mark) {
            put(META_ID, AUDIT_MARK_KEY, mark);
        }

        private void put(int family, byte[] key, byte[] value) {
            ensure(1 + 5 + 5 + key.length + 5 + value.length);
            if (family == META_ID) {
                rep[length++] = TYPE_VALUE;
            } else {
                rep[length++] = TYPE_FAMILY_VALUE;
                varint(family);
            }
            lengthPrefixed(key);
            lengthPrefixed(value);
            count++;
        }

        private void lengthPrefixed(byte[] b) {
            varint(b.length);
            System.arraycopy(b, 0, rep, length, b.length);
            length += b.length;
        }

        private void varint(int value) {
            while ((value & ~0x7f) != 0) {
                rep[length++] = (byte) ((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            rep[length++] = (byte) value;
        }

        private void ensure(int more) {
            if (rep.length - length < more) {
                rep = Arrays.copyOf(rep, Math.max(rep.length * 2, length + more));
            }
        }

        /** The serialized batch: sequence 0 (assigned on write), the row count, the rows. */
        byte[] serialized() {
            byte[] out = Arrays.copyOf(rep, length);
            for (int i = 0; i < 4; i++) {
                out[8 + i] = (byte) (count >>> (8 * i));
            }
            return out;
        }

        @Override
        public void close() {
            rep = null;
        }
    }

    /** The compact state the next batch extends: size and right-border hashes. */
    record TreeState(long size, List<Hash> border) {
        TreeState {
            border = List.copyOf(border);
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            detach();
        } finally {
            lock.writeLock().unlock();
        }
        closeAll(read, unsyncedWrite, syncWrite, dbOptions, keyOptions, leafOptions, leafFilter, columnOptions, cache);
    }

    /** Reads one key; {@code family} is resolved under the lock, since a reopen replaces the handles. */
    private byte[] get(Supplier<ColumnFamilyHandle> family, byte[] key) {
        try (Shared shared = shared()) {
            return db.get(family.get(), read, key);
        } catch (RocksDBException e) {
            throw new StorageException("cannot read the log store: " + e.getMessage(), e);
        }
    }

    private static void check(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("cannot scan the log store: " + e.getMessage(), e);
        }
    }

    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // Native handles: close cannot meaningfully fail, and one failure must not leak the rest.
                }
            }
        }
    }

    static byte[] longKey(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    /** A row of the {@code leaves} family: leaf hash (32) || index (8). */
    static byte[] leafKey(Hash leaf, long index) {
        byte[] key = new byte[LEAF_KEY_BYTES];
        leaf.copyTo(key, 0);
        ByteBuffer.wrap(key, Hash.SIZE, 8).putLong(index);
        return key;
    }

    static byte[] nodeKey(int level, long index) {
        return ByteBuffer.allocate(9).put((byte) level).putLong(index).array();
    }

    /** A row of the {@code indexes} family: kind (1) || value length (2) || value || index (8). */
    static byte[] indexRowKey(IndexKey key, long index) {
        return indexKey(indexPrefix(key.kind().tag, key.value().getBytes(StandardCharsets.UTF_8)), index);
    }

    /** The start of every {@code indexes} row of {@code key}: kind (1) || value length (2) || value. */
    static byte[] indexPrefix(IndexKey key) {
        return indexPrefix(key.kind().tag, key.value().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] indexPrefix(byte kind, byte[] value) {
        return ByteBuffer.allocate(3 + value.length).put(kind).putShort((short) value.length).put(value).array();
    }

    private static byte[] indexKey(byte[] prefix, long index) {
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(index).array();
    }

    /** The smallest key after every key starting with {@code prefix} (prefix + 8 bytes of 0xff + 1). */
    private static byte[] indexPrefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length + 9);
        Arrays.fill(end, prefix.length, prefix.length + 8, (byte) 0xff);
        return end;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
