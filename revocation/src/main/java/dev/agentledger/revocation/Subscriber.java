package dev.agentledger.revocation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One subscriber: its own virtual thread first replays the events after its starting sequence from
 * the feed, then, once caught up, goes live and delivers what the feed queues for it. The queue is
 * bounded by a count the feed checks when it offers: a subscriber that falls that far behind is cut
 * off (its queue dropped, the listener told where to resume), so it never holds up the others.
 * Events that wait together (a backlog, or a replay) reach the listener together; after handing
 * events over, a live subscriber lets the next ones gather for the feed's coalescing window.
 */
final class Subscriber implements Subscription {
    /** Ends the delivery loop; {@code tell} says whether the listener hears of it. */
    private record Close(RevocationListener.Cause cause, String reason, boolean tell) {}

    /** The most messages taken from the queue, or events replayed, in one go. */
    private static final int MAX_BATCH = 256;

    private final Feed feed;
    private final RevocationListener listener;
    private final int capacity;
    private final long coalesceNanos;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long from;
    private volatile Close closing;
    private volatile long delivered;

    Subscriber(Feed feed, RevocationListener listener, long from, int capacity, Duration coalesce) {
        this.feed = feed;
        this.coalesceNanos = coalesce.toNanos();
        this.listener = listener;
        this.from = from;
        this.delivered = from;
        this.capacity = capacity;
    }

    void start() {
        Thread.ofVirtual().name("revocation-subscriber").start(this::run);
    }

    /** Queues {@code message} for a live subscriber; false if the queue is full (the caller cuts it off). */
    boolean offer(Object message) {
        if (queue.size() >= capacity) {
            return false;
        }
        queue.add(message);
        return true;
    }

    /** Ends the subscription from the feed's side: drops what waits and tells the listener why. */
    void cutOff(RevocationListener.Cause cause, String reason) {
        closing = new Close(cause, reason, true);
        queue.clear();
        queue.add(closing);
    }

    /** The last sequence delivered to the listener. */
    @Override
    public long lastSequence() {
        return delivered;
    }

    @Override
    public void close() {
        closing = new Close(RevocationListener.Cause.SHUTTING_DOWN, "closed by its owner", false);
        queue.add(closing);
        feed.remove(this);
    }

    private void run() {
        try {
            long next = replay();
            if (next > 0) {
                deliverLive(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The listener failed (its client went away): the subscription simply ends.
        } finally {
            feed.remove(this);
        }
    }

    /** Delivers events from the feed until caught up, then goes live; returns the next sequence, or 0 if closed. */
    private long replay() throws Exception {
        long next = from + 1;
        List<RevocationEvent> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            long last = feed.lastSequence();
            while (next <= last) {
                if (closing != null) {
                    finish(closing);
                    return 0;
                }
                for (long end = Math.min(last, next + MAX_BATCH - 1); next <= end; next++) {
                    batch.add(feed.event(next));
                }
                deliver(batch);
            }
            if (feed.goLive(this, next)) {
                return next;
            }
        }
    }

    /**
     * Delivers what the feed queues, in queue order: the events waiting together go to the listener
     * together, cut only where a heartbeat or a close was queued between them (a heartbeat's
     * sequence says which events came before it).
     */
    private void deliverLive(long next) throws Exception {
        List<Object> waiting = new ArrayList<>(MAX_BATCH);
        List<RevocationEvent> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            waiting.add(queue.take());
            queue.drainTo(waiting, MAX_BATCH - 1);
            for (Object message : waiting) {
                switch (message) {
                    case RevocationEvent event -> {
                        // Events numbered while this subscriber replayed may be queued again: skip them.
                        if (event.sequence() >= next) {
                            batch.add(event);
                            next = event.sequence() + 1;
                        }
                    }
                    case Heartbeat heartbeat -> {
                        deliver(batch);
                        listener.onHeartbeat(heartbeat);
                    }
                    case Close close -> {
                        deliver(batch);
                        finish(close);
                        return;
                    }
                    default -> throw new IllegalStateException("unexpected message " + message);
                }
            }
            waiting.clear();
            if (deliver(batch) && coalesceNanos > 0) {
                // Let the next events gather: one message and one write for all of them. The queue
                // keeps counting against the capacity meanwhile, and a close waits at most this long.
                LockSupport.parkNanos(coalesceNanos);
            }
        }
    }

    /** Hands {@code batch} (consecutive events, maybe none) to the listener and empties it; false if it was empty. */
    private boolean deliver(List<RevocationEvent> batch) throws Exception {
        if (batch.isEmpty()) {
            return false;
        }
        if (batch.size() == 1) {
            listener.onEvent(batch.get(0));
        } else {
            listener.onEvents(List.copyOf(batch));
        }
        delivered = batch.get(batch.size() - 1).sequence();
        batch.clear();
        return true;
    }

    private void finish(Close close) {
        if (close.tell()) {
            listener.onClosed(close.cause(), close.reason(), delivered);
        }
    }
}
