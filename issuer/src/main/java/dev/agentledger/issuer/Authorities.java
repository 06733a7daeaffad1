package dev.agentledger.issuer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The issuer's keys at one moment: the active CA and JWT keys, the retired keys still in the
 * trust bundle (until every credential they signed has expired), and the bundle sequence. Immutable.
 */
record Authorities(SigningKey ca, SigningKey jwt, List<Retired> retired, long sequence) {
    /** A key that no longer signs but stays in the bundle until {@code until}. */
    record Retired(SigningKey key, Instant until) {}

    Authorities {
        retired = List.copyOf(retired);
    }

    /** {@code next} becomes the active key of its use; the one it replaces stays until {@code retiredUntil}. */
    Authorities rotate(SigningKey next, Instant retiredUntil) {
        List<Retired> kept = new ArrayList<>(retired);
        boolean isCa = next.use() == SigningKey.Use.X509_SVID;
        kept.add(new Retired(isCa ? ca : jwt, retiredUntil));
        return new Authorities(isCa ? next : ca, isCa ? jwt : next, kept, sequence + 1);
    }

    /** The same keys without the retired ones expired at {@code now}; this when none expired. */
    Authorities prune(Instant now) {
        List<Retired> kept = retired.stream().filter(r -> r.until().isAfter(now)).toList();
        return kept.size() == retired.size() ? this : new Authorities(ca, jwt, kept, sequence + 1);
    }

    /** The active key of {@code use}. */
    SigningKey active(SigningKey.Use use) {
        return use == SigningKey.Use.X509_SVID ? ca : jwt;
    }

    /** Every key in the bundle: active keys first, then the retired ones in retirement order. */
    List<SigningKey> published() {
        List<SigningKey> keys = new ArrayList<>();
        keys.add(ca);
        keys.add(jwt);
        retired.forEach(r -> keys.add(r.key()));
        return keys;
    }
}
