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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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
 *     proxy is the single-use point of, the token's id until its expiry. A token id already held
 *     is refused ({@link ReplayException}), also after a restart.
 * <li>{@link #update} replaces the record (delegation chain once admitted, status and hashes once
 *     the upstream answered) without waiting: if the process dies or the power fails before it is
 *     written, the record {@link #begin} made durable stands.
 * <li>{@link #shipped} forgets a record once the authority has logged it, without waiting.
 * </ul>
 *
 * <p>One write at a time reaches the database, in the order the writes were submitted. When no
 * other write is queued or being written, the submitting thread writes itself: no hand-off to
 * another thread and back, each of which costs a wake-up (0.1-0.2 ms on a small VM) on a lone
 * call's path. Otherwise the write is queued for one writer thread (a platform thread: a RocksDB
 * call blocks its thread in native code, which would hold one of the few carriers of the callers'
 * virtual threads for an fsync), which takes every write queued while the previous one was on
 * disk and writes them as one batch, synced when one of them must be, so concurrent calls share
 * one fsync (group commit). So at most one virtual thread at a time holds its carrier in a write,
 * and only while the journal is otherwise idle.
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
    /** The most queued writes put in one batch. */
    private static final int MAX_GROUP = 1024;
    private static final System.Logger LOG = System.getLogger(CallJournal.class.getName());

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
    private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /** Held by whoever writes to the database (the writer thread or a submitting thread). */
    private final ReentrantLock writing = new ReentrantLock();
    /** Writes queued or taken by the writer thread and not yet written. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Keys to put (with their value) or delete (value null), written together; {@code done}
     * completes once they are in the database (and on disk when {@code sync}).
     */
    private static final class Write {
        final List<byte[]> keys = new ArrayList<>(2);
        final List<byte[]> values = new ArrayList<>(2);
        final boolean sync;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Write(boolean sync) {
            this.sync = sync;
        }

        Write put(byte[] key, byte[] value) {
            keys.add(key);
            values.add(value);
            return this;
        }

        Write delete(byte[] key) {
            return put(key, null);
        }
    }

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
        this.writer = Thread.ofPlatform().name("proxy-call-journal").daemon().start(this::writeQueued);
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
        try {
            return written(new Write(true).put(tokenKey(tokenId), ByteBuffer.allocate(8).putLong(expiry).array()), entry);
        } catch (IOException e) {
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
        try {
            return written(new Write(true), entry);
        } catch (IOException e) {
            throw new IOException("cannot journal the call: " + e.getMessage(), e);
        }
    }

    /** Adds {@code entry} as a new call to {@code write}, and waits until it is durable. */
    private long written(Write write, LogEntry entry) throws IOException {
        long sequence = nextSequence.getAndIncrement();
        await(submit(write.put(callKey(sequence), entry.toByteArray())));
        unshipped.incrementAndGet();
        return sequence;
    }

    /**
     * Replaces call {@code sequence}'s record with {@code entry}, without waiting (a failed write
     * is logged; the record {@link #begin} wrote stays).
     */
    void update(long sequence, LogEntry entry) {
        submit(new Write(false).put(callKey(sequence), entry.toByteArray()));
    }

    /**
     * Forgets call {@code sequence}, without waiting: the authority has logged its record (if the
     * delete is lost, the record is shipped again after a restart, with the same request id).
     */
    void shipped(long sequence) {
        submit(new Write(false).delete(callKey(sequence)));
        unshipped.decrementAndGet();
    }

    /**
     * Writes {@code write} on this thread when nothing else is queued or being written (its
     * {@code done} is then complete on return), else queues it for the writer thread. Either way
     * it reaches the database after every write submitted before it.
     */
    private Write submit(Write write) {
        if (pending.get() == 0 && writing.tryLock()) {
            try {
                if (pending.get() == 0) { // nothing submitted earlier is unwritten; later ones wait for the lock
                    if (closed) {
                        write.done.completeExceptionally(new IOException("the call journal is closed"));
                    } else {
                        apply(List.of(write));
                    }
                    return write;
                }
            } finally {
                writing.unlock();
            }
        }
        synchronized (queue) { // nothing is queued once closed: the writer's last look at the queue sees everything
            if (closed) {
                write.done.completeExceptionally(new IOException("the call journal is closed"));
            } else {
                pending.incrementAndGet();
                queue.add(write);
            }
        }
        return write;
    }

    private static void await(Write write) throws IOException {
        try {
            write.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the journal's write (it may still be made)", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * The writer: takes every queued write, puts them in one batch, synced if any of them must
     * be, then completes them; until {@link #close}, after which it writes what was queued.
     */
    private void writeQueued() {
        List<Write> group = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
            } catch (InterruptedException e) {
                break;
            }
            writing.lock();
            try {
                queue.drainTo(group, MAX_GROUP - 1);
                apply(group);
                pending.addAndGet(-group.size());
            } finally {
                writing.unlock();
            }
            group.clear();
        }
        IOException stopped = new IOException("the call journal is closed");
        queue.forEach(w -> w.done.completeExceptionally(stopped));
    }

    /** Writes {@code group} as one batch, synced if one of them must be, and completes each (holding {@link #writing}). */
    private void apply(List<Write> group) {
        boolean sync = false;
        try (WriteBatch batch = new WriteBatch()) {
            for (Write write : group) {
                sync |= write.sync;
                for (int i = 0; i < write.keys.size(); i++) {
                    if (write.values.get(i) == null) {
                        batch.delete(write.keys.get(i));
                    } else {
                        batch.put(write.keys.get(i), write.values.get(i));
                    }
                }
            }
            db.write(sync ? synced : unsynced, batch);
            group.forEach(w -> w.done.complete(null));
        } catch (RocksDBException | RuntimeException e) {
            IOException failed = new IOException("the journal's write failed: " + e.getMessage(), e);
            LOG.log(System.Logger.Level.WARNING, group.size() + " journal writes failed (records stay as last written): "
                    + e.getMessage());
            group.forEach(w -> w.done.completeExceptionally(failed));
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
        Write deletes = new Write(false);
        expired.forEach(id -> deletes.delete(tokenKey(id)));
        submit(deletes); // an expired token is refused anyway, also if this delete is lost
        expired.forEach(id -> spent.computeIfPresent(id, (key, expiry) -> expiry <= now ? null : expiry));
    }

    private static byte[] tokenKey(String tokenId) {
        byte[] id = tokenId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + id.length).put(TOKEN).put(id).array();
    }

    private static byte[] callKey(long sequence) {
        // Big-endian, so the calls iterate in sequence order.
        return ByteBuffer.allocate(9).put(CALL).putLong(sequence).array();
    }

    /** Writes what was queued, then closes the database. */
    @Override
    public void close() {
        synchronized (queue) {
            closed = true;
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.interrupt();
            try {
                writer.join();
            } catch (InterruptedException again) {
                Thread.currentThread().interrupt();
            }
        }
        writing.lock(); // a submitting thread may still be writing
        try {
            db.close();
            unsynced.close();
            synced.close();
            options.close();
        } finally {
            writing.unlock();
        }
    }
}
