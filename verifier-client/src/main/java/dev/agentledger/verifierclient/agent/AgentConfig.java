package dev.agentledger.verifierclient.agent;

import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.revocation.RevocationCache;
import java.net.URI;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.function.Supplier;

/**
 * Where an agent finds its authority and what it trusts.
 *
 * @param publicUrl the authority's public listener, e.g. {@code http://127.0.0.1:8080} (join,
 *     trust bundle, log entries)
 * @param privateUrl its private mTLS listener, e.g. {@code https://127.0.0.1:8443} (renewal,
 *     token exchange, approvals)
 * @param log the log's origin and pinned key: every SVID must be proven in a checkpoint it signed
 * @param trustDomain the SPIFFE trust domain the agent belongs to
 * @param serverAuthorities the CA certificates the private listener's certificate chains to
 * @param svidTtl the lifetime asked for each SVID
 * @param clock the clock for validity checks, renewal times and approval timeouts
 * @param timer the renewal timer, made fresh for each agent
 * @param sleeper waits between approval polls
 * @param approvalPoll how often a pending approval is polled
 * @param revocations the revocation feed the agent watches for its own identity, if any
 * @param random the source of the renewal jitter
 */
public record AgentConfig(URI publicUrl, URI privateUrl, LogVerifier log, String trustDomain,
        List<X509Certificate> serverAuthorities, Duration svidTtl, InstantSource clock, Supplier<RenewalTimer> timer,
        Sleeper sleeper, Duration approvalPoll, Optional<RevocationCache> revocations, RandomGenerator random) {
    /** The default SVID lifetime asked for. */
    public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(1);
    /** The default approval poll interval. */
    public static final Duration DEFAULT_APPROVAL_POLL = Duration.ofSeconds(1);

    /** Requires every part; copies the authorities. */
    public AgentConfig {
        Objects.requireNonNull(publicUrl, "publicUrl");
        Objects.requireNonNull(privateUrl, "privateUrl");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(trustDomain, "trustDomain");
        serverAuthorities = List.copyOf(serverAuthorities);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(timer, "timer");
        Objects.requireNonNull(sleeper, "sleeper");
        Objects.requireNonNull(revocations, "revocations");
        Objects.requireNonNull(random, "random");
        if (svidTtl.isNegative() || svidTtl.isZero() || approvalPoll.isNegative() || approvalPoll.isZero()) {
            throw new IllegalArgumentException("the SVID lifetime and the approval poll interval must be positive");
        }
        if (serverAuthorities.isEmpty()) {
            throw new IllegalArgumentException("name at least one CA for the private listener's certificate");
        }
    }

    /** A configuration with the defaults: one-hour SVIDs, the system clock, a daemon renewal timer, 1 s polls, no feed. */
    public static AgentConfig of(URI publicUrl, URI privateUrl, LogVerifier log, String trustDomain,
            List<X509Certificate> serverAuthorities) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, DEFAULT_SVID_TTL,
                InstantSource.system(), RenewalTimer::daemon, Thread::sleep, DEFAULT_APPROVAL_POLL, Optional.empty(),
                new SecureRandom());
    }

    /** With SVIDs of {@code ttl}. */
    public AgentConfig withSvidTtl(Duration ttl) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, ttl, clock, timer, sleeper,
                approvalPoll, revocations, random);
    }

    /** With {@code source} as the clock. */
    public AgentConfig withClock(InstantSource source) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, svidTtl, source, timer, sleeper,
                approvalPoll, revocations, random);
    }

    /** With renewals run by the timers {@code timers} makes. */
    public AgentConfig withTimer(Supplier<RenewalTimer> timers) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, svidTtl, clock, timers, sleeper,
                approvalPoll, revocations, random);
    }

    /** Polling a pending approval every {@code interval}, waiting with {@code waits}. */
    public AgentConfig withApprovalPolling(Duration interval, Sleeper waits) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, svidTtl, clock, timer, waits,
                interval, revocations, random);
    }

    /** Watching {@code feed} (started by the caller) for the agent's own revocation. */
    public AgentConfig withRevocations(RevocationCache feed) {
        return new AgentConfig(publicUrl, privateUrl, log, trustDomain, serverAuthorities, svidTtl, clock, timer, sleeper,
                approvalPoll, Optional.of(feed), random);
    }
}
