package dev.agentledger.server.grpc;

import dev.agentledger.proto.SpiffeId;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The SPIFFE ID of a TLS peer, read from the URI SAN of its leaf certificate (SPIFFE X509-SVID
 * standard, section 2: exactly one URI SAN, which is the SPIFFE ID).
 *
 * <p>Security: this reads the certificate only; the TLS layer must already have verified the
 * chain to a trusted CA (the private listener requires client authentication against the
 * bootstrap CA alone).
 */
public final class CallerIdentity {
    private static final int URI_SAN = 6;

    private CallerIdentity() {}

    /**
     * The SPIFFE ID in {@code chain}'s leaf.
     *
     * @throws UnauthenticatedException if there is no chain, the leaf is not X.509, or it does not
     *     carry exactly one URI SAN that is a valid SPIFFE ID
     */
    public static SpiffeId of(Optional<Certificate[]> chain) throws UnauthenticatedException {
        if (chain.isEmpty() || chain.get().length == 0) {
            throw new UnauthenticatedException("no client certificate: connect with mTLS and an X.509-SVID");
        }
        if (!(chain.get()[0] instanceof X509Certificate leaf)) {
            throw new UnauthenticatedException("client certificate is not X.509");
        }
        List<String> uris = uriSans(leaf);
        if (uris.size() != 1) {
            throw new UnauthenticatedException("client certificate has " + uris.size() + " URI SANs, want exactly one SPIFFE ID");
        }
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new UnauthenticatedException("client certificate's URI SAN is not a SPIFFE ID: " + e.getMessage());
        }
    }

    private static List<String> uriSans(X509Certificate leaf) throws UnauthenticatedException {
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new UnauthenticatedException("client certificate's SAN extension is malformed");
        }
        List<String> uris = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() == 2 && name.get(0) instanceof Integer type && type == URI_SAN) {
                    uris.add(String.valueOf(name.get(1)));
                }
            }
        }
        return uris;
    }
}
