package dev.agentledger.revocation;

import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerException;
import dev.agentledger.ledger.LedgerUnavailableException;
import dev.agentledger.proto.LogEntries;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Logged, numbered, broadcast revocation over one transparency log.
 *
 * <p>{@link #revoke} appends the {@code Revoked} entry first and waits until it is durable and in
 * a signed checkpoint; then the entry gets the next revocation sequence number, its event (with
 * the ids it covers, expanded from the log, and its inclusion proof) is queued for every live
 * subscriber, and only then is it returned. Revoked entries appended by other means (the raw
 * {@code Append} API) are numbered and broadcast too, when the feed next reads the log.
 *
 * <p>Security guarantees: a sequence number is the entry's position among the log's Revoked
 * entries, so it is derived from the log alone: a crash after the append loses nothing (the entry
 * is numbered when the log is read again at start) and numbers nothing twice. Subscribers get
 * every event after the sequence they resume from, once each and in order, or are cut off with
 * the sequence to resume from; a subscriber that falls behind never delays the others.
 *
 * <p>Thread-safe. {@link #open} reads the whole log once (to rebuild the derivation index and the
 * sequence numbers); {@link #start} starts the tail, heartbeat and pruning schedule.
 */
public final class Revocations implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Revocations.class.getName());
    private static final long PRUNE_MILLIS = 60_000;

    private final Ledger ledger;
    private final RevocationsConfig config;
    private final Feed feed;
    private ScheduledExecutorService schedule;

    private Revocations(Ledger ledger, RevocationsConfig config, Feed feed) {
        this.ledger = ledger;
        this.config = config;
        this.feed = feed;
    }

    /**
     * Reads {@code ledger} up to its latest checkpoint and returns the revocations over it; call
     * {@link #start()} to keep following it.
     *
     * @throws dev.agentledger.ledger.StorageException if the log cannot be read
     */
    public static Revocations open(Ledger ledger, RevocationsConfig config) {
        Feed feed = new Feed(ledger, config);
        feed.catchUp(ledger.checkpoint());
        feed.prune(config.clock().millis());
        return new Revocations(ledger, config, feed);
    }

    /** Starts following the log (every tail interval), heartbeats and pruning on one daemon thread. */
    public synchronized void start() {
        if (schedule != null) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("revocation-feed").daemon(true).factory());
        long tail = config.tailInterval().toMillis();
        long heartbeat = config.heartbeatInterval().toMillis();
        schedule.scheduleWithFixedDelay(guarded("tail", this::tail), tail, tail,
                TimeUnit.MILLISECONDS);
        schedule.scheduleAtFixedRate(guarded("heartbeat", this::heartbeat), heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        schedule.scheduleWithFixedDelay(guarded("prune", this::prune), PRUNE_MILLIS, PRUNE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Logs {@code revocation}, numbers it and broadcasts it; returns its event once every live
     * subscriber has it queued.
     *
     * @param requestId the caller's request id, logged in the entry header (not secret; may be empty)
     * @throws LedgerException if the log refused the entry or could not commit it (then it may or
     *     may not be logged: the feed will show it if it was)
     * @throws InterruptedException if interrupted while waiting for the log
     */
    public RevocationEvent revoke(Revocation revocation, String requestId) throws LedgerException, InterruptedException {
        byte[] entry = LogEntries.serialize(revocation.toEntry(config.clock().instant(), requestId, LogEntries.SCHEMA_VERSION));
        Appended appended;
        try {
            appended = ledger.append(entry, false).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LedgerException refused) {
                throw refused;
            }
            throw new LedgerUnavailableException("append failed: " + e.getCause(), e.getCause());
        }
        feed.catchUp(appended.checkpoint());
        return feed.eventAt(appended.index()).orElseThrow(() -> new IllegalStateException(
                "log index " + appended.index() + " was appended as a revocation but is not numbered"));
    }

    /**
     * Subscribes {@code listener} to the events after sequence {@code from} (0: all), replayed
     * from the log and then live, with heartbeats once live.
     *
     * @throws InvalidRevocationException if {@code from} is beyond the last sequence
     */
    public Subscription subscribe(long from, RevocationListener listener) throws InvalidRevocationException {
        Subscriber subscriber = feed.subscribe(from, listener);
        subscriber.start();
        return subscriber;
    }

    /** Every revocation still relevant now, proven in one checkpoint, and the sequence to watch from. */
    public Snapshot snapshot() {
        feed.catchUp(ledger.checkpoint());
        return feed.snapshot(config.clock().millis());
    }

    /** The last sequence numbered so far (0 when none). */
    public long lastSequence() {
        return feed.lastSequence();
    }

    /** How many subscribers are connected. */
    public int subscribers() {
        return feed.subscribers();
    }

    /** Reads new log entries, then sends every live subscriber a heartbeat (the schedule does this every interval). */
    public void heartbeat() {
        feed.heartbeat(config.clock().instant());
    }

    /** Forgets expired credentials (the schedule does this every minute). */
    void prune() {
        feed.prune(config.clock().millis());
    }

    /** Reads what was appended to the log since the last read (the schedule does this every tail interval). */
    void tail() {
        feed.catchUp(ledger.checkpoint());
    }

    /** How many credentials the derivation index tracks. */
    int indexed() {
        return feed.indexed();
    }

    private static Runnable guarded(String task, Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "revocation " + task + " failed; retrying at the next interval", e);
            }
        };
    }

    /** Stops the schedule and cuts off every subscriber; the log is not closed (its owner closes it). */
    @Override
    public synchronized void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            try {
                schedule.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        feed.close();
    }
}
