package dev.agentledger.server.revocation;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per HTTP/2 connection, held by a watcher while it writes, so that the watch streams of
 * one connection write one message at a time.
 *
 * <p>Why: Helidon 4.5's HTTP/2 writer checks a connection's outbound flow-control window, writes
 * the frame, and only then charges the window, without holding anything across the three steps
 * ({@code Http2ConnectionWriter.splitAndWrite}). Streams of one connection writing at once all
 * pass the check against the same window and overdraw it; the window goes negative, and when the
 * client's next WINDOW_UPDATE does not bring it back above zero, Helidon reads the negative sum as
 * an overflow of 2^31-1 and closes the connection with GOAWAY FLOW_CONTROL_ERROR "Window size too
 * big" ({@code Http2Connection.readWindowUpdateFrame}), cutting off every stream on it. Written one
 * at a time, each frame is charged before the next is checked. A stream waiting for its own window
 * holds up the other watch streams of its connection, never other connections.
 */
final class ConnectionLocks {
    /** A connection's lock and how many watchers of that connection hold a reference to it. */
    private record Shared(ReentrantLock lock, int watchers) {}

    private final ConcurrentHashMap<String, Shared> locks = new ConcurrentHashMap<>();

    /** The lock of {@code connection}, made on its first watcher; each call needs one {@link #release}. */
    Lock acquire(String connection) {
        return locks.compute(connection, (key, shared) -> shared == null
                ? new Shared(new ReentrantLock(), 1) : new Shared(shared.lock(), shared.watchers() + 1)).lock();
    }

    /** One watcher of {@code connection} ended; the lock is forgotten with the last one. */
    void release(String connection) {
        locks.computeIfPresent(connection, (key, shared) -> shared.watchers() == 1
                ? null : new Shared(shared.lock(), shared.watchers() - 1));
    }
}
