package dev.agentledger.server.config;

import dev.agentledger.issuer.IssuerConfig;
import dev.agentledger.issuer.policy.PolicyConfig;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.revocation.RevocationsConfig;
import dev.agentledger.server.revocation.RevocationFeedHttpService;
import java.time.Duration;
import java.util.Objects;

/**
 * The server's lifetimes, intervals and limits, each with the default its module documents.
 *
 * @param keyLifetime how long a new issuer key (CA, JWT-SVID, access token) may sign; at least 2 hours
 * @param bundleRefreshHint the trust bundle's {@code spiffe_refresh_hint}
 * @param approvalLifetime how long a pending approval waits for a human, 1 minute to 24 hours
 * @param revocationRetention how long a revocation stays in the snapshot at least
 * @param revocationHeartbeat how often revocation subscribers get a heartbeat
 * @param witnessInterval how often the checkpoint is offered to the witnesses
 * @param witnessTimeout how long one witness request may take
 * @param revocationSubscriberQueue the most messages waiting for one revocation subscriber
 * @param revocationSseStreams the most revocation SSE streams the public listener serves at once
 * @param connections how the listeners treat connections: request and idle timeouts, limits
 * @param revocationCoalesce how long a revocation subscriber lets events gather after a write, so
 *     several go out in one message; zero to at most {@link #MAX_REVOCATION_COALESCE}, and shorter
 *     than {@code revocationHeartbeat}
 */
public record Tuning(Duration keyLifetime, Duration bundleRefreshHint, Duration approvalLifetime,
        Duration revocationRetention, Duration revocationHeartbeat, Duration witnessInterval, Duration witnessTimeout,
        int revocationSubscriberQueue, int revocationSseStreams, Connections connections, Duration revocationCoalesce) {
    /**
     * The longest coalescing window accepted: the fan-out's latency goal is 250 ms at the 99th
     * percentile, and an event may wait a whole window.
     */
    public static final Duration MAX_REVOCATION_COALESCE = Duration.ofMillis(250);

    /** The defaults of the issuer, the policy gate, the revocation feed and the witness submitter. */
    public static final Tuning DEFAULTS = new Tuning(IssuerConfig.DEFAULT_KEY_LIFETIME, IssuerConfig.DEFAULT_REFRESH_HINT,
            PolicyConfig.DEFAULT_APPROVAL_LIFETIME, RevocationsConfig.DEFAULT_RETENTION, RevocationsConfig.DEFAULT_HEARTBEAT,
            WitnessSubmitter.DEFAULT_INTERVAL, WitnessSubmitter.DEFAULT_TIMEOUT, RevocationsConfig.DEFAULT_SUBSCRIBER_QUEUE,
            RevocationFeedHttpService.DEFAULT_MAX_STREAMS, Connections.DEFAULTS, RevocationsConfig.DEFAULT_COALESCE);

    /** Validates; throws {@link IllegalArgumentException} naming the setting. */
    public Tuning {
        Objects.requireNonNull(keyLifetime, "keyLifetime");
        atLeast("key-lifetime", keyLifetime, Duration.ofHours(2));
        positive("bundle-refresh-hint", bundleRefreshHint);
        atLeast("approval", approvalLifetime, Duration.ofMinutes(1));
        if (approvalLifetime.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("approval " + approvalLifetime + " is longer than 24 hours");
        }
        if (revocationRetention.isNegative()) {
            throw new IllegalArgumentException("revocation-retention " + revocationRetention + " is negative");
        }
        positive("revocation-heartbeat", revocationHeartbeat);
        positive("witness-interval", witnessInterval);
        positive("witness-timeout", witnessTimeout);
        if (revocationSubscriberQueue < 2) {
            throw new IllegalArgumentException("revocation-subscriber-queue " + revocationSubscriberQueue + " is below 2");
        }
        if (revocationSseStreams < 1) {
            throw new IllegalArgumentException("revocation-sse-streams " + revocationSseStreams + " is below 1");
        }
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(revocationCoalesce, "revocationCoalesce");
        if (revocationCoalesce.isNegative() || revocationCoalesce.compareTo(MAX_REVOCATION_COALESCE) > 0) {
            throw new IllegalArgumentException("revocation-coalesce " + revocationCoalesce + " is not in [0, "
                    + MAX_REVOCATION_COALESCE + "]");
        }
        if (revocationCoalesce.compareTo(revocationHeartbeat) >= 0) {
            throw new IllegalArgumentException("revocation-coalesce " + revocationCoalesce + " is not shorter than revocation-heartbeat "
                    + revocationHeartbeat);
        }
    }

    /** The same tuning with other connection settings. */
    public Tuning withConnections(Connections newConnections) {
        return new Tuning(keyLifetime, bundleRefreshHint, approvalLifetime, revocationRetention, revocationHeartbeat,
                witnessInterval, witnessTimeout, revocationSubscriberQueue, revocationSseStreams, newConnections, revocationCoalesce);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " " + value + " is not positive");
        }
    }

    private static void atLeast(String name, Duration value, Duration least) {
        if (value.compareTo(least) < 0) {
            throw new IllegalArgumentException(name + " " + value + " is shorter than " + least);
        }
    }
}
