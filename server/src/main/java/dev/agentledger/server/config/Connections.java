package dev.agentledger.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How each listener (public and private) treats its TCP connections.
 *
 * @param requestTimeout from accepting a connection, the time its client has to finish the TLS
 *     handshake and deliver its first whole request (head, and body if any); a connection still
 *     short of that is closed (slow or stalled clients, slowloris)
 * @param idleTimeout a connection on which no request started for this long is closed (Helidon's
 *     idle-connection sweep, which runs every {@code min(idleTimeout / 2, 2 minutes)})
 * @param maxPerListener the most TCP connections open on one listener at once; more wait in the
 *     listener's accept backlog
 */
public record Connections(Duration requestTimeout, Duration idleTimeout, int maxPerListener) {
    /** Default request timeout: generous for a client on a slow network, short for one holding a slot. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** Default idle timeout: Helidon's. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default connection limit per listener. */
    public static final int DEFAULT_MAX_PER_LISTENER = 10_000;
    /** The defaults. */
    public static final Connections DEFAULTS = new Connections(DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_MAX_PER_LISTENER);

    /** Validates; throws {@link IllegalArgumentException} whose message starts with the setting's name. */
    public Connections {
        positive("request-timeout", requestTimeout);
        positive("idle-timeout", idleTimeout);
        if (maxPerListener < 1) {
            throw new IllegalArgumentException("max-per-listener " + maxPerListener + " is below 1");
        }
    }

    /** How often the idle sweep looks: half the idle timeout, between 1 second and 2 minutes. */
    public Duration idleCheckPeriod() {
        long half = idleTimeout.toMillis() / 2;
        return Duration.ofMillis(Math.max(1_000, Math.min(Duration.ofMinutes(2).toMillis(), half)));
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " " + value + " is not positive");
        }
    }
}
