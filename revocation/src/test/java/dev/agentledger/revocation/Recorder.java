package dev.agentledger.revocation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that records what it gets; optionally blocks in its first event until released. */
final class Recorder implements RevocationListener {
    /** Why a subscription was closed, and where to resume. */
    record Closed(Cause cause, String reason, long lastSequence) {}

    private static final long WAIT_SECONDS = 30;

    final List<Long> sequences = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The sequences of each group of events delivered together through {@link #onEvents}. */
    final List<List<Long>> together = java.util.Collections.synchronizedList(new ArrayList<>());
    final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch release;
    final CountDownLatch blocked = new CountDownLatch(1);

    Recorder() {
        this(new CountDownLatch(0));
    }

    /** A recorder that blocks in its first event until {@code release} opens. */
    Recorder(CountDownLatch release) {
        this.release = release;
    }

    @Override
    public void onEvent(RevocationEvent event) throws Exception {
        blocked.countDown();
        release.await();
        sequences.add(event.sequence());
        messages.add(event);
    }

    @Override
    public void onEvents(List<RevocationEvent> events) throws Exception {
        together.add(events.stream().map(RevocationEvent::sequence).toList());
        RevocationListener.super.onEvents(events);
    }

    @Override
    public void onHeartbeat(Heartbeat heartbeat) {
        messages.add(heartbeat);
    }

    @Override
    public void onClosed(Cause cause, String reason, long lastSequence) {
        messages.add(new Closed(cause, reason, lastSequence));
    }

    /** Sends heartbeats until this subscriber gets one: it is then live. */
    void awaitLive(Revocations revocations) throws InterruptedException {
        for (int i = 0; i < WAIT_SECONDS * 10; i++) {
            revocations.heartbeat();
            Object message = messages.poll(100, TimeUnit.MILLISECONDS);
            while (message != null) {
                if (message instanceof Heartbeat) {
                    return;
                }
                message = messages.poll();
            }
        }
        throw new AssertionError("the subscriber never went live");
    }

    /** The next message that is of {@code type}, skipping others. */
    <T> T next(Class<T> type) throws InterruptedException {
        while (true) {
            Object message = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no " + type.getSimpleName() + " arrived");
            }
            if (type.isInstance(message)) {
                return type.cast(message);
            }
        }
    }

    /** Waits until {@code count} events arrived. */
    void awaitEvents(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (sequences.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("got " + sequences.size() + " events, want " + count);
            }
            Thread.sleep(5);
        }
    }
}
