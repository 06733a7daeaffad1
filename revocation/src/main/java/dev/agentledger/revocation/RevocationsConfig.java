package dev.agentledger.revocation;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How the revocation feed runs.
 *
 * @param clock the time source (entry times, heartbeats, snapshot relevance)
 * @param heartbeatInterval how often live subscribers get a heartbeat
 * @param tailInterval how often the feed reads entries others appended (raw {@code Revoked}
 *     entries, credentials for the derivation index); revocations made through
 *     {@link Revocations#revoke} are numbered at once, whatever this is
 * @param retention how long a revocation stays in the snapshot at least, after its effective time;
 *     beyond that only while a credential it covers may still be valid
 * @param subscriberQueue the most messages waiting for one subscriber; more cuts it off
 * @param eventCache how many recent events are kept in memory, with their proofs, for replay
 * @param maxAffectedBytes the most bytes of ids one event lists (keeps events well under the 128 KiB gRPC message limit)
 * @param coalesce how long a live subscriber lets events gather after handing some to its
 *     listener, so that under a steady stream of revocations several go out together (one message
 *     and one write instead of one each); an event after a quiet spell goes out at once. Zero:
 *     every event is handed over as soon as it is numbered.
 */
public record RevocationsConfig(InstantSource clock, Duration heartbeatInterval, Duration tailInterval,
        Duration retention, int subscriberQueue, int eventCache, int maxAffectedBytes, Duration coalesce) {
    /** Default heartbeat interval: one second. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    /** Default tail interval. */
    public static final Duration DEFAULT_TAIL = Duration.ofMillis(50);
    /** Default least time in the snapshot: a day. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(1);
    /** Default subscriber queue. */
    public static final int DEFAULT_SUBSCRIBER_QUEUE = 1024;
    /** Default number of events kept for replay. */
    public static final int DEFAULT_EVENT_CACHE = 16384;
    /** Default most bytes of ids in one event. */
    public static final int DEFAULT_MAX_AFFECTED_BYTES = 32 * 1024;
    /**
     * Default coalescing window: 50 ms, a fifth of the fan-out's latency goal (250 ms p99); at 100
     * revocations a second it puts about five events in each message to a subscriber. Each message
     * costs both ends about as much as five events (a TLS record, an HTTP/2 frame, a write and a
     * read), so against 20 ms it cut the CPU per delivery by about a fifth (BENCHMARKS.md).
     */
    public static final Duration DEFAULT_COALESCE = Duration.ofMillis(50);

    /** Validates; throws {@link IllegalArgumentException}. */
    public RevocationsConfig {
        Objects.requireNonNull(clock, "clock");
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || tailInterval.isNegative()
                || tailInterval.isZero() || retention.isNegative()) {
            throw new IllegalArgumentException("intervals must be positive and retention not negative");
        }
        if (coalesce.isNegative() || coalesce.compareTo(heartbeatInterval) >= 0) {
            throw new IllegalArgumentException("coalesce " + coalesce + " must be in [0, heartbeat interval " + heartbeatInterval + ")");
        }
        if (subscriberQueue < 2 || eventCache < 1 || maxAffectedBytes < 1) {
            throw new IllegalArgumentException("need subscriberQueue >= 2, eventCache >= 1, maxAffectedBytes >= 1");
        }
    }

    /** The same settings with the default coalescing window; throws {@link IllegalArgumentException} as the canonical one. */
    public RevocationsConfig(InstantSource clock, Duration heartbeatInterval, Duration tailInterval,
            Duration retention, int subscriberQueue, int eventCache, int maxAffectedBytes) {
        this(clock, heartbeatInterval, tailInterval, retention, subscriberQueue, eventCache, maxAffectedBytes, DEFAULT_COALESCE);
    }

    /** The defaults with {@code clock}. */
    public static RevocationsConfig of(InstantSource clock) {
        return new RevocationsConfig(clock, DEFAULT_HEARTBEAT, DEFAULT_TAIL, DEFAULT_RETENTION, DEFAULT_SUBSCRIBER_QUEUE,
                DEFAULT_EVENT_CACHE, DEFAULT_MAX_AFFECTED_BYTES, DEFAULT_COALESCE);
    }

    /** The same with another coalescing window. */
    public RevocationsConfig withCoalesce(Duration window) {
        return new RevocationsConfig(clock, heartbeatInterval, tailInterval, retention, subscriberQueue, eventCache, maxAffectedBytes, window);
    }

    /** The same with another subscriber queue size. */
    public RevocationsConfig withSubscriberQueue(int size) {
        return new RevocationsConfig(clock, heartbeatInterval, tailInterval, retention, size, eventCache, maxAffectedBytes, coalesce);
    }

    /** The same with another event cache size. */
    public RevocationsConfig withEventCache(int size) {
        return new RevocationsConfig(clock, heartbeatInterval, tailInterval, retention, subscriberQueue, size, maxAffectedBytes, coalesce);
    }

    /** The same with another retention. */
    public RevocationsConfig withRetention(Duration least) {
        return new RevocationsConfig(clock, heartbeatInterval, tailInterval, least, subscriberQueue, eventCache, maxAffectedBytes, coalesce);
    }
}
