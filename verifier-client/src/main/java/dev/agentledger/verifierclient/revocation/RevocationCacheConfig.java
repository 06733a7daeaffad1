package dev.agentledger.verifierclient.revocation;

import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How a {@link RevocationCache} follows a log's revocation feed.
 *
 * @param baseUrl the log's public base URL, e.g. {@code http://127.0.0.1:8080}
 * @param freshness how long without a heartbeat before every check fails closed (default 5 s)
 * @param clock the time source for freshness
 * @param reconnectDelay how long to wait before reconnecting after the feed ends or fails
 */
public record RevocationCacheConfig(URI baseUrl, Duration freshness, InstantSource clock, Duration reconnectDelay) {
    /** The default freshness bound: 5 seconds. */
    public static final Duration DEFAULT_FRESHNESS = Duration.ofSeconds(5);
    /** The default reconnect delay. */
    public static final Duration DEFAULT_RECONNECT = Duration.ofMillis(250);

    /** Validates; throws {@link IllegalArgumentException} for a non-http(s) URL or non-positive durations. */
    public RevocationCacheConfig {
        Objects.requireNonNull(clock, "clock");
        String scheme = baseUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("feed URL \"" + baseUrl + "\" is not http(s)");
        }
        if (freshness.isNegative() || freshness.isZero() || reconnectDelay.isNegative()) {
            throw new IllegalArgumentException("freshness must be positive and the reconnect delay not negative");
        }
        String text = baseUrl.toString();
        baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    /** The defaults for the log at {@code baseUrl}, on the system clock. */
    public static RevocationCacheConfig of(String baseUrl) {
        return new RevocationCacheConfig(URI.create(baseUrl), DEFAULT_FRESHNESS, InstantSource.system(), DEFAULT_RECONNECT);
    }

    /** The same with another freshness bound. */
    public RevocationCacheConfig withFreshness(Duration bound) {
        return new RevocationCacheConfig(baseUrl, bound, clock, reconnectDelay);
    }

    /** The same with another clock. */
    public RevocationCacheConfig withClock(InstantSource source) {
        return new RevocationCacheConfig(baseUrl, freshness, source, reconnectDelay);
    }
}
