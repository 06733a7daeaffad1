package dev.agentledger.revocation;

import com.google.protobuf.ByteString;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.ledger.StorageException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The revocation feed: reads the log in order, keeps the derivation index current, numbers every
 * Revoked entry (its sequence is its position among the log's Revoked entries, so it follows from
 * the log alone and survives restarts without a counter), and hands each numbered event to every
 * live subscriber.
 *
 * <p>Order of work for an entry, under the feed's lock: the entry is already durable and in the
 * checkpoint being read up to (the ledger only shows checkpointed entries); it is numbered; its
 * event is built with its proof in that checkpoint and queued for every live subscriber. Only then
 * does the lock move to the next entry, so every subscriber sees sequences in order.
 */
final class Feed {
    /** A numbered revocation before it is proven in a checkpoint. */
    private record Numbered(long sequence, long logIndex, ByteString entry, Revoked revoked, AffectedIds affected) {}

    /** A ring slot: a recent numbered revocation and, once built, its proven event. */
    private static final class Slot {
        final Numbered numbered;
        RevocationEvent proven;

        Slot(Numbered numbered) {
            this.numbered = numbered;
        }
    }

    /** Credentials are forgotten this long after they expire, a margin for clock skew. */
    private static final long EXPIRY_GRACE_MILLIS = 5 * 60 * 1000;

    private final Ledger ledger;
    private final RevocationsConfig config;
    private final DerivationIndex index = new DerivationIndex();
    private final SequenceTable table = new SequenceTable();
    private final Map<Target, List<Long>> activeTargets = new HashMap<>();
    private final Slot[] recent;
    private final Set<Subscriber> live = new LinkedHashSet<>();
    private final Set<Subscriber> all = new LinkedHashSet<>();
    private long cursor;
    private SignedCheckpoint readTo;
    private boolean closed;

    Feed(Ledger ledger, RevocationsConfig config) {
        this.ledger = ledger;
        this.config = config;
        this.recent = new Slot[config.eventCache()];
    }

    /**
     * Reads the log up to {@code checkpoint}: indexes credentials, numbers revocations and
     * broadcasts them with their proof in {@code checkpoint}. Nothing happens for a checkpoint
     * not beyond what was read already.
     *
     * @throws StorageException if the log cannot be read
     */
    synchronized void catchUp(SignedCheckpoint checkpoint) {
        if (readTo != null && checkpoint.size() <= cursor) {
            if (checkpoint.size() == cursor) {
                readTo = checkpoint;
            }
            return;
        }
        while (cursor < checkpoint.size()) {
            List<byte[]> entries = ledger.entries(cursor, (int) Math.min(checkpoint.size() - cursor, Ledger.MAX_ENTRIES_READ));
            for (byte[] bytes : entries) {
                read(cursor, bytes, checkpoint);
                cursor++;
            }
        }
        readTo = checkpoint;
    }

    private void read(long logIndex, byte[] bytes, SignedCheckpoint checkpoint) {
        LogEntry entry;
        try {
            entry = LogEntries.parse(bytes);
        } catch (MalformedEntryException e) {
            return; // Not a product entry: nothing to index or number.
        }
        if (entry.getEventCase() != LogEntry.EventCase.REVOKED) {
            DerivationIndex.Added added = index.add(entry);
            if (added != null) {
                extendCovering(added);
            }
            return;
        }
        Revoked revoked = entry.getRevoked();
        Optional<Target> target = Target.of(revoked);
        DerivationIndex.Expansion expansion = expand(target, revoked.getCascade());
        // Retention counts from the effective time, or from when it was logged if that is later (or unset).
        long from = Math.max(revoked.getEffectiveUnixMillis(), entry.getHeader().getTimeUnixMillis());
        long until = Math.max(saturatedAdd(from, config.retention().toMillis()), expansion.latestNotAfter());
        long sequence = table.append(logIndex, until);
        target.ifPresent(t -> activeTargets.computeIfAbsent(t, k -> new ArrayList<>(1)).add(sequence));
        Slot slot = new Slot(new Numbered(sequence, logIndex, ByteString.copyFrom(bytes), revoked, expansion.ids()));
        recent[slotOf(sequence)] = slot;
        if (!all.isEmpty()) {
            slot.proven = prove(slot.numbered, checkpoint);
            broadcast(slot.proven);
        }
    }

    /** A credential issued after a revocation that covers it keeps that revocation in the snapshot while it is valid. */
    private void extendCovering(DerivationIndex.Added added) {
        if (activeTargets.isEmpty()) {
            return; // no revocation is active: nothing could cover the credential, so its targets are not worked out
        }
        for (Target target : added.coveredBy()) {
            List<Long> sequences = activeTargets.get(target);
            if (sequences != null) {
                sequences.forEach(s -> table.extend(s, added.notAfter()));
            }
        }
    }

    private DerivationIndex.Expansion expand(Optional<Target> target, boolean cascade) {
        return target.map(t -> index.expand(t, cascade, config.maxAffectedBytes()))
                .orElse(new DerivationIndex.Expansion(AffectedIds.NONE, Long.MIN_VALUE));
    }

    private RevocationEvent prove(Numbered numbered, SignedCheckpoint checkpoint) {
        return new RevocationEvent(numbered.sequence(), numbered.logIndex(), numbered.entry(), numbered.revoked(),
                numbered.affected(), ledger.inclusionProof(numbered.logIndex(), checkpoint.size()), checkpoint);
    }

    private void broadcast(Object message) {
        for (Iterator<Subscriber> it = live.iterator(); it.hasNext(); ) {
            Subscriber subscriber = it.next();
            if (!subscriber.offer(message)) {
                it.remove();
                all.remove(subscriber);
                subscriber.cutOff(RevocationListener.Cause.TOO_SLOW, "too slow: " + config.subscriberQueue() + " messages were waiting; resume from sequence "
                        + subscriber.lastSequence());
            }
        }
    }

    /** The last sequence numbered. */
    synchronized long lastSequence() {
        return table.last();
    }

    /** The checkpoint the feed has read the log up to. */
    synchronized SignedCheckpoint readTo() {
        return readTo;
    }

    /**
     * The event of {@code sequence}: the one broadcast when it is still in memory, otherwise rebuilt
     * from the log with its proof in the latest checkpoint read and the ids covered now.
     */
    synchronized RevocationEvent event(long sequence) {
        Slot slot = recent[slotOf(sequence)];
        if (slot != null && slot.numbered.sequence() == sequence) {
            if (slot.proven == null) {
                slot.proven = prove(slot.numbered, readTo);
            }
            return slot.proven;
        }
        return prove(rebuild(sequence), readTo);
    }

    /** The event of the revocation logged at {@code logIndex}, if that entry is a numbered revocation. */
    synchronized Optional<RevocationEvent> eventAt(long logIndex) {
        long sequence = table.sequenceOf(logIndex);
        return sequence == 0 ? Optional.empty() : Optional.of(event(sequence));
    }

    private Numbered rebuild(long sequence) {
        long logIndex = table.logIndex(sequence);
        byte[] bytes = ledger.entry(logIndex).orElseThrow(() -> new StorageException("entry " + logIndex + " is missing"));
        Revoked revoked;
        try {
            revoked = LogEntries.parse(bytes).getRevoked();
        } catch (MalformedEntryException e) {
            throw new StorageException("numbered entry " + logIndex + " no longer parses: " + e.getMessage(), e);
        }
        AffectedIds affected = expand(Target.of(revoked), revoked.getCascade()).ids();
        return new Numbered(sequence, logIndex, ByteString.copyFrom(bytes), revoked, affected);
    }

    /** Every revocation relevant at {@code nowMillis}, proven in the latest checkpoint read. */
    synchronized Snapshot snapshot(long nowMillis) {
        List<RevocationEvent> events = new ArrayList<>();
        for (long s = 1; s <= table.last(); s++) {
            if (table.relevantUntil(s) >= nowMillis) {
                Slot slot = recent[slotOf(s)];
                Numbered numbered = slot != null && slot.numbered.sequence() == s ? slot.numbered : rebuild(s);
                events.add(prove(numbered, readTo));
            }
        }
        return new Snapshot(table.last(), readTo, events);
    }

    /** Reads the log up to the latest checkpoint, then sends every live subscriber a heartbeat. */
    synchronized void heartbeat(java.time.Instant now) {
        catchUp(ledger.checkpoint());
        broadcast(new Heartbeat(table.last(), readTo, now));
    }

    /** Forgets expired credentials and revocations no longer relevant for later credentials. */
    synchronized void prune(long nowMillis) {
        index.prune(nowMillis - EXPIRY_GRACE_MILLIS);
        for (Iterator<List<Long>> it = activeTargets.values().iterator(); it.hasNext(); ) {
            List<Long> sequences = it.next();
            sequences.removeIf(s -> table.relevantUntil(s) < nowMillis);
            if (sequences.isEmpty()) {
                it.remove();
            }
        }
    }

    /**
     * Registers a subscriber after {@code from}.
     *
     * @throws InvalidRevocationException if {@code from} is beyond the last sequence (the caller
     *     followed another log, or this one lost entries)
     */
    synchronized Subscriber subscribe(long from, RevocationListener listener) throws InvalidRevocationException {
        if (from < 0 || from > table.last()) {
            throw new InvalidRevocationException("from sequence " + from + " is not in 0.." + table.last()
                    + ": this log has numbered " + table.last() + " revocations");
        }
        if (closed) {
            throw new IllegalStateException("the revocation feed is closed");
        }
        Subscriber subscriber = new Subscriber(this, listener, from, config.subscriberQueue(), config.coalesce());
        all.add(subscriber);
        return subscriber;
    }

    /** Makes {@code subscriber} live if it has every event before {@code next}; false if it must replay more. */
    synchronized boolean goLive(Subscriber subscriber, long next) {
        if (closed || !all.contains(subscriber)) {
            return true; // Its Close is already queued.
        }
        if (next <= table.last()) {
            return false;
        }
        live.add(subscriber);
        return true;
    }

    synchronized void remove(Subscriber subscriber) {
        live.remove(subscriber);
        all.remove(subscriber);
    }

    /** How many subscribers are registered. */
    synchronized int subscribers() {
        return all.size();
    }

    /** Cuts off every subscriber (they may resume elsewhere or later) and refuses new ones. */
    synchronized void close() {
        closed = true;
        for (Subscriber subscriber : all) {
            subscriber.cutOff(RevocationListener.Cause.SHUTTING_DOWN, "the revocation feed is shutting down; resume from sequence " + subscriber.lastSequence());
        }
        all.clear();
        live.clear();
    }

    private int slotOf(long sequence) {
        return (int) ((sequence - 1) % recent.length);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
