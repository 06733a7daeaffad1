package dev.agentledger.verifierclient.svid;

import dev.agentledger.merkle.VerificationException;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a TLS peer by its SPIFFE identity, not its host name (SPIFFE X509-SVID standard,
 * section 5): the peer's chain must be a valid X509-SVID of the bundle's trust domain and its ID
 * must be one {@code accepted} allows. Host names play no part, so an SVID with only a URI SAN
 * works for any address. For HTTPS clients and servers alike ({@code SSLContext.init}).
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
    private final Supplier<SpiffeBundle> bundle;
    private final Predicate<String> accepted;
    private final InstantSource clock;

    /** Trusts peers with a valid SVID of {@code bundle} whose SPIFFE ID {@code accepted} allows. */
    public SpiffeTrustManager(Supplier<SpiffeBundle> bundle, Predicate<String> accepted, InstantSource clock) {
        this.bundle = bundle;
        this.accepted = accepted;
        this.clock = clock;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        VerifiedX509Svid svid;
        try {
            svid = X509SvidVerifier.verify(List.of(chain), bundle.get(), clock.instant());
        } catch (VerificationException e) {
            throw new CertificateException("the peer is not a valid X509-SVID: " + e.getMessage(), e);
        }
        if (!accepted.test(svid.spiffeId().value())) {
            throw new CertificateException("the peer is " + svid.spiffeId() + ", which is not accepted here");
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return bundle.get().x509Authorities().toArray(X509Certificate[]::new);
    }
}
