package dev.agentledger.revocation;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * One subscriber: its own virtual thread first replays the events after its starting sequence from
 * the feed, then, once caught up, goes live and delivers what the feed queues for it. The queue is
 * bounded by a count the feed checks when it offers: a subscriber that falls that far behind is cut
 * off (its queue dropped, the listener told where to resume), so it never holds up the others.
 */
final class Subscriber implements Subscription {
    /** Ends the delivery loop; {@code tell} says whether the listener hears of it. */
    private record Close(RevocationListener.Cause cause, String reason, boolean tell) {}

    private final Feed feed;
    private final RevocationListener listener;
    private final int capacity;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long from;
    private volatile Close closing;
    private volatile long delivered;

    Subscriber(Feed feed, RevocationListener listener, long from, int capacity) {
        this.feed = feed;
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
        while (true) {
            long last = feed.lastSequence();
            while (next <= last) {
                if (closing != null) {
                    finish(closing);
                    return 0;
                }
                listener.onEvent(feed.event(next));
                delivered = next;
                next++;
            }
            if (feed.goLive(this, next)) {
                return next;
            }
        }
    }

    private void deliverLive(long next) throws Exception {
        while (true) {
            Object message = queue.take();
            switch (message) {
                case RevocationEvent event -> {
                    // Events numbered while this subscriber replayed may be queued again: skip them.
                    if (event.sequence() >= next) {
                        listener.onEvent(event);
                        delivered = event.sequence();
                        next = event.sequence() + 1;
                    }
                }
                case Heartbeat heartbeat -> listener.onHeartbeat(heartbeat);
                case Close close -> {
                    finish(close);
                    return;
                }
                default -> throw new IllegalStateException("unexpected message " + message);
            }
        }
    }

    private void finish(Close close) {
        if (close.tell()) {
            listener.onClosed(close.cause(), close.reason(), delivered);
        }
    }
}
