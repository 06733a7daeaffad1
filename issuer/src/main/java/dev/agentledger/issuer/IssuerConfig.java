package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How an {@link Issuer} runs.
 *
 * @param trustDomain the SPIFFE trust domain it issues for (lower-case, as in a SPIFFE ID)
 * @param clock the time source for validity windows and log headers
 * @param random the randomness for keys, serials and token ids
 * @param keyLifetime how long a new CA or JWT key may sign (at least 2 hours)
 * @param refreshHint the trust bundle's {@code spiffe_refresh_hint}
 */
public record IssuerConfig(String trustDomain, InstantSource clock, SecureRandom random, Duration keyLifetime, Duration refreshHint) {
    /** Default lifetime of a signing key. */
    public static final Duration DEFAULT_KEY_LIFETIME = Duration.ofDays(365);
    /** Default bundle refresh hint. */
    public static final Duration DEFAULT_REFRESH_HINT = Duration.ofMinutes(5);

    /** Validates; throws {@link IllegalArgumentException} or {@link NullPointerException}. */
    public IssuerConfig {
        SpiffeId.ofTrustDomain(trustDomain);
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        if (keyLifetime.compareTo(Duration.ofHours(2)) < 0) {
            throw new IllegalArgumentException("key lifetime " + keyLifetime + " is shorter than 2 hours");
        }
        if (refreshHint.isNegative() || refreshHint.isZero()) {
            throw new IllegalArgumentException("refresh hint " + refreshHint + " is not positive");
        }
    }

    /** The defaults for {@code trustDomain}: system clock, a new SecureRandom, default durations. */
    public static IssuerConfig of(String trustDomain) {
        return new IssuerConfig(trustDomain, InstantSource.system(), new SecureRandom(), DEFAULT_KEY_LIFETIME, DEFAULT_REFRESH_HINT);
    }

    /** The same configuration with another clock. */
    public IssuerConfig withClock(InstantSource clock) {
        return new IssuerConfig(trustDomain, clock, random, keyLifetime, refreshHint);
    }

    /** The identity the issuer writes into the headers of the entries it appends. */
    public SpiffeId authorityId() {
        return SpiffeId.of(trustDomain, "agentledger/issuer");
    }
}
