package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.IssuerConfig;
import dev.agentledger.proto.SpiffeId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Set;

/**
 * How the policy gate and its approvals run.
 *
 * @param authority the identity written into the headers of the entries the gate appends (the
 *     issuer's, {@link IssuerConfig#authorityId()}); only entries with this caller count when the
 *     gate rebuilds its state from the log
 * @param clock the time of decisions ({@code context.now}), of entry headers and of expiry
 * @param random the randomness of approval ids
 * @param approvalLifetime how long an approval may wait for a human, and then be used: 1 minute
 *     to 24 hours
 * @param numericContextKeys context keys whose values policies compare as integers
 */
public record PolicyConfig(SpiffeId authority, InstantSource clock, SecureRandom random, Duration approvalLifetime,
        Set<String> numericContextKeys) {
    /** The default time an approval waits: 15 minutes. */
    public static final Duration DEFAULT_APPROVAL_LIFETIME = Duration.ofMinutes(15);

    /** Validates and copies; throws {@link IllegalArgumentException} or {@link NullPointerException}. */
    public PolicyConfig {
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        if (approvalLifetime.compareTo(Duration.ofMinutes(1)) < 0 || approvalLifetime.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("approval lifetime " + approvalLifetime + " is not in [PT1M, PT24H]");
        }
        numericContextKeys = Set.copyOf(numericContextKeys);
    }

    /** The gate of the issuer configured by {@code issuer}: its identity, clock and randomness, default lifetimes. */
    public static PolicyConfig of(IssuerConfig issuer) {
        return new PolicyConfig(issuer.authorityId(), issuer.clock(), issuer.random(), DEFAULT_APPROVAL_LIFETIME,
                CedarPolicy.DEFAULT_NUMERIC_KEYS);
    }

    /** The same configuration with approvals waiting {@code lifetime}. */
    public PolicyConfig withApprovalLifetime(Duration lifetime) {
        return new PolicyConfig(authority, clock, random, lifetime, numericContextKeys);
    }
}
