package dev.agentledger.issuer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The issuer's keys at one moment: the active CA, JWT-SVID and access-token keys, the retired keys
 * still published (until every credential they signed has expired), and the trust bundle
 * sequence, which counts changes of the SPIFFE bundle only (access-token keys are not in it).
 * Immutable.
 */
record Authorities(SigningKey ca, SigningKey jwt, SigningKey accessToken, List<Retired> retired, long sequence) {
    /** A key that no longer signs but stays published until {@code until}. */
    record Retired(SigningKey key, Instant until) {}

    Authorities {
        retired = List.copyOf(retired);
    }

    /** {@code next} becomes the active key of its use; the one it replaces stays until {@code retiredUntil}. */
    Authorities rotate(SigningKey next, Instant retiredUntil) {
        List<Retired> kept = new ArrayList<>(retired);
        kept.add(new Retired(active(next.use()).retired(), retiredUntil));
        SigningKey.Use use = next.use();
        return new Authorities(use == SigningKey.Use.X509_SVID ? next : ca, use == SigningKey.Use.JWT_SVID ? next : jwt,
                use == SigningKey.Use.ACCESS_TOKEN ? next : accessToken, kept,
                use == SigningKey.Use.ACCESS_TOKEN ? sequence : sequence + 1);
    }

    /** The same keys without the retired ones expired at {@code now}; this when none expired. */
    Authorities prune(Instant now) {
        List<Retired> kept = retired.stream().filter(r -> r.until().isAfter(now)).toList();
        if (kept.size() == retired.size()) {
            return this;
        }
        boolean bundleChanged = retired.stream()
                .anyMatch(r -> !r.until().isAfter(now) && r.key().use() != SigningKey.Use.ACCESS_TOKEN);
        return new Authorities(ca, jwt, accessToken, kept, bundleChanged ? sequence + 1 : sequence);
    }

    /** The active key of {@code use}. */
    SigningKey active(SigningKey.Use use) {
        return switch (use) {
            case X509_SVID -> ca;
            case JWT_SVID -> jwt;
            case ACCESS_TOKEN -> accessToken;
        };
    }

    /** Every key in the SPIFFE bundle: active CA and JWT keys first, then the retired ones in retirement order. */
    List<SigningKey> published() {
        List<SigningKey> keys = new ArrayList<>();
        keys.add(ca);
        keys.add(jwt);
        retired.stream().map(Retired::key).filter(k -> k.use() != SigningKey.Use.ACCESS_TOKEN).forEach(keys::add);
        return keys;
    }

    /** Every access-token key verifiers should know: the active one first, then the retired ones. */
    List<SigningKey> accessTokenKeys() {
        List<SigningKey> keys = new ArrayList<>();
        keys.add(accessToken);
        retired.stream().map(Retired::key).filter(k -> k.use() == SigningKey.Use.ACCESS_TOKEN).forEach(keys::add);
        return keys;
    }

    /** Every key, active and retired, of every use. */
    List<SigningKey> all() {
        List<SigningKey> keys = new ArrayList<>(List.of(ca, jwt, accessToken));
        retired.forEach(r -> keys.add(r.key()));
        return keys;
    }
}
