package dev.agentledger.verifierclient.svid;

import dev.agentledger.merkle.VerificationException;
import dev.agentledger.verifierclient.internal.RecentlyUsed;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * {@link X509SvidVerifier#verify} with a bounded memory of the chains that verified: a chain (by
 * the SHA-256 of its certificates' DER) verified against a trust bundle is accepted again against
 * that same bundle object without repeating the PKIX path validation, as long as the time is inside
 * the validity of every certificate of the chain. A new bundle (each refresh) starts over; a
 * refused chain is never remembered. Revocation is not part of this check and is not cached.
 *
 * <p>Thread-safe; at most {@code capacity} chains are held, the least recently used dropped first.
 */
public final class X509SvidCache {
    private record Verified(SpiffeBundle bundle, VerifiedX509Svid svid, Instant notBefore, Instant notAfter) {}

    private final RecentlyUsed<ByteBuffer, Verified> verified;

    /**
     * A cache of at most {@code capacity} chains.
     *
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public X509SvidCache(int capacity) {
        this.verified = new RecentlyUsed<>(capacity);
    }

    /**
     * The verified SVID at the head of {@code chain}, as {@link X509SvidVerifier#verify} returns it.
     *
     * @throws VerificationException naming the rule the chain breaks (see {@link X509SvidVerifier#verify})
     */
    public VerifiedX509Svid verify(List<X509Certificate> chain, SpiffeBundle bundle, Instant now) throws VerificationException {
        if (chain.isEmpty() || chain.size() > X509SvidVerifier.MAX_CHAIN) {
            return X509SvidVerifier.verify(chain, bundle, now);
        }
        ByteBuffer key = ByteBuffer.wrap(digest(chain));
        Verified held = verified.get(key);
        if (held != null && held.bundle() == bundle && !now.isBefore(held.notBefore()) && !now.isAfter(held.notAfter())) {
            return held.svid();
        }
        VerifiedX509Svid svid = X509SvidVerifier.verify(chain, bundle, now);
        Instant notBefore = Instant.MIN;
        Instant notAfter = Instant.MAX;
        for (X509Certificate certificate : chain) {
            notBefore = max(notBefore, certificate.getNotBefore().toInstant());
            notAfter = min(notAfter, certificate.getNotAfter().toInstant());
        }
        verified.put(key, new Verified(bundle, svid, notBefore, notAfter));
        return svid;
    }

    private static byte[] digest(List<X509Certificate> chain) throws VerificationException {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : chain) {
                byte[] der = certificate.getEncoded();
                // The length keeps the boundaries: two chains with the same bytes split differently differ.
                sha256.update(ByteBuffer.allocate(4).putInt(der.length).array());
                sha256.update(der);
            }
            return sha256.digest();
        } catch (GeneralSecurityException e) {
            throw new VerificationException("a certificate of the chain does not encode", e);
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
