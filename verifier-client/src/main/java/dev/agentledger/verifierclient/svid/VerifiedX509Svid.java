package dev.agentledger.verifierclient.svid;

import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * An X509-SVID that verified: its SPIFFE ID, its certificate and that certificate's SHA-256 (the
 * RFC 8705 {@code x5t#S256} thumbprint capability tokens are bound to).
 *
 * @param spiffeId the ID in the URI SAN
 * @param certificate the leaf certificate
 * @param thumbprint SHA-256 of the leaf's DER
 */
public record VerifiedX509Svid(SpiffeId spiffeId, X509Certificate certificate, Hash thumbprint) {
    /** Requires every part. */
    public VerifiedX509Svid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(thumbprint, "thumbprint");
    }
}
