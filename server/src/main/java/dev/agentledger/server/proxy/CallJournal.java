package dev.agentledger.server.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.replay.ReplayException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The proxy's write-ahead journal of calls, in a RocksDB database in its data directory: what
 * makes a call durable before it is forwarded, so that the log can be written after the answer.
 *
 * <ul>
 * <li>{@link #begin} writes, in one synced batch, the call's record as known before forwarding
 *     (caller, upstream, method, path, action, resource, token id, status 0) and, for a token this
 *     proxy is the single-use point of, the token's id until its expiry. Concurrent begins share
 *     one fsync (RocksDB's group commit of the write-ahead log). A token id already held is
 *     refused ({@link ReplayException}), also after a restart.
 * <li>{@link #update} replaces the record (delegation chain once admitted, status and hashes once
 *     the upstream answered) without waiting for an fsync: it survives the process dying, and a
 *     power loss falls back to the record {@link #begin} made durable.
 * <li>{@link #shipped} forgets a record once the authority has logged it.
 * </ul>
 *
 * <p>Records still held at {@link #open} are the ones the log may not have: they are shipped again
 * (a record whose status is 0 is a call interrupted before the upstream's answer was known). A
 * record the authority logged just before a crash may be shipped twice; both copies carry the same
 * request id. Thread-safe.
 */
final class CallJournal implements AutoCloseable {
    private static final byte TOKEN = 't';
    private static final byte CALL = 'c';
    private static final int SWEEP_EVERY = 4096;

    /** A record held in the journal: its sequence number and the log entry to ship. */
    record Held(long sequence, LogEntry entry) {}

    private final Options options;
    private final WriteOptions synced;
    private final WriteOptions unsynced;
    private final RocksDB db;
    private final InstantSource clock;
    private final Map<String, Long> spent = new ConcurrentHashMap<>();
    private final AtomicLong nextSequence;
    private final AtomicInteger unshipped;
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);
    private final List<Held> heldAtOpen;

    private CallJournal(Options options, WriteOptions synced, WriteOptions unsynced, RocksDB db, InstantSource clock,
            long nextSequence, List<Held> heldAtOpen) {
        this.options = options;
        this.synced = synced;
        this.unsynced = unsynced;
        this.db = db;
        this.clock = clock;
        this.nextSequence = new AtomicLong(nextSequence);
        this.unshipped = new AtomicInteger(heldAtOpen.size());
        this.heldAtOpen = List.copyOf(heldAtOpen);
    }

    /**
     * Opens (or creates) the journal in {@code directory}.
     *
     * @throws IOException if the database cannot be opened or a record in it does not parse
     */
    static CallJournal open(Path directory, InstantSource clock) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(directory);
        Options options = new Options().setCreateIfMissing(true).setParanoidChecks(true);
        WriteOptions synced = new WriteOptions().setSync(true);
        WriteOptions unsynced = new WriteOptions();
        RocksDB db = null;
        try {
            db = RocksDB.open(options, directory.toString());
            Map<String, Long> tokens = new LinkedHashMap<>();
            List<Held> held = new ArrayList<>();
            long next = 0;
            try (RocksIterator it = db.newIterator()) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (key.length > 1 && key[0] == TOKEN) {
                        tokens.put(new String(key, 1, key.length - 1, StandardCharsets.UTF_8), ByteBuffer.wrap(it.value()).getLong());
                    } else if (key.length == 9 && key[0] == CALL) {
                        long sequence = ByteBuffer.wrap(key, 1, 8).getLong();
                        held.add(new Held(sequence, LogEntry.parseFrom(it.value())));
                        next = Math.max(next, sequence + 1);
                    } else {
                        throw new IOException("the call journal in " + directory + " holds an unknown key");
                    }
                }
                it.status();
            }
            CallJournal journal = new CallJournal(options, synced, unsynced, db, clock, next, held);
            journal.spent.putAll(tokens);
            journal.sweep();
            return journal;
        } catch (RocksDBException | InvalidProtocolBufferException | RuntimeException e) {
            if (db != null) {
                db.close();
            }
            unsynced.close();
            synced.close();
            options.close();
            throw new IOException("cannot open the call journal in " + directory + ": " + e.getMessage(), e);
        } catch (IOException e) {
            if (db != null) {
                db.close();
            }
            unsynced.close();
            synced.close();
            options.close();
            throw e;
        }
    }

    /** The records held when the journal was opened (not yet known to be logged), in sequence order. */
    List<Held> heldAtOpen() {
        return heldAtOpen;
    }

    /** How many records wait to be shipped. */
    int unshipped() {
        return unshipped.get();
    }

    /**
     * Makes {@code entry} durable as a new call and, when {@code tokenId} is given, spends that
     * token until {@code expires}, in one synced write; returns the call's sequence number.
     *
     * @throws ReplayException if the token was spent before and has not expired
     * @throws IOException if the write failed: the call must not be forwarded (the token stays spent)
     */
    long begin(LogEntry entry, String tokenId, Instant expires) throws ReplayException, IOException {
        long expiry = expires.getEpochSecond() + (expires.getNano() > 0 ? 1 : 0);
        long now = clock.instant().getEpochSecond();
        Long[] earlier = {null};
        spent.compute(tokenId, (id, held) -> {
            if (held != null && held > now) {
                earlier[0] = held;
                return held;
            }
            return expiry;
        });
        if (earlier[0] != null) {
            throw new ReplayException(tokenId, Instant.ofEpochSecond(earlier[0]));
        }
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(tokenKey(tokenId), ByteBuffer.allocate(8).putLong(expiry).array());
            return write(batch, entry);
        } catch (RocksDBException e) {
            throw new IOException("cannot journal the spend of token " + tokenId + ": " + e.getMessage(), e);
        } finally {
            if (untilSweep.decrementAndGet() <= 0) {
                sweep();
            }
        }
    }

    /**
     * Makes {@code entry} durable as a new call (its token is spent elsewhere); returns its sequence number.
     *
     * @throws IOException if the write failed: the call must not be forwarded
     */
    long begin(LogEntry entry) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            return write(batch, entry);
        } catch (RocksDBException e) {
            throw new IOException("cannot journal the call: " + e.getMessage(), e);
        }
    }

    private long write(WriteBatch batch, LogEntry entry) throws RocksDBException {
        long sequence = nextSequence.getAndIncrement();
        batch.put(callKey(sequence), entry.toByteArray());
        db.write(synced, batch);
        unshipped.incrementAndGet();
        return sequence;
    }

    /**
     * Replaces call {@code sequence}'s record with {@code entry}, without waiting for an fsync.
     *
     * @throws IOException if the write failed (the record {@link #begin} wrote stays)
     */
    void update(long sequence, LogEntry entry) throws IOException {
        try {
            db.put(unsynced, callKey(sequence), entry.toByteArray());
        } catch (RocksDBException e) {
            throw new IOException("cannot update call " + sequence + " in the journal: " + e.getMessage(), e);
        }
    }

    /**
     * Forgets call {@code sequence}: the authority has logged its record.
     *
     * @throws IOException if the delete failed (the record would be shipped again after a restart)
     */
    void shipped(long sequence) throws IOException {
        try {
            db.delete(unsynced, callKey(sequence));
            unshipped.decrementAndGet();
        } catch (RocksDBException e) {
            throw new IOException("cannot mark call " + sequence + " as logged: " + e.getMessage(), e);
        }
    }

    /** Drops the spent tokens that have expired (a replay of them is refused as expired by the token check). */
    private void sweep() {
        untilSweep.set(SWEEP_EVERY);
        long now = clock.instant().getEpochSecond();
        List<String> expired = new ArrayList<>();
        spent.forEach((id, expiry) -> {
            if (expiry <= now) {
                expired.add(id);
            }
        });
        if (expired.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (String id : expired) {
                batch.delete(tokenKey(id));
            }
            db.write(unsynced, batch);
            expired.forEach(id -> spent.computeIfPresent(id, (key, expiry) -> expiry <= now ? null : expiry));
        } catch (RocksDBException e) {
            // Kept in memory and on disk: retried at the next sweep, and an expired token is refused anyway.
        }
    }

    private static byte[] tokenKey(String tokenId) {
        byte[] id = tokenId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + id.length).put(TOKEN).put(id).array();
    }

    private static byte[] callKey(long sequence) {
        // Big-endian, so the calls iterate in sequence order.
        return ByteBuffer.allocate(9).put(CALL).putLong(sequence).array();
    }

    @Override
    public void close() {
        db.close();
        unsynced.close();
        synced.close();
        options.close();
    }
}
