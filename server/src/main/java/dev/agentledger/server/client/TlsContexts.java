package dev.agentledger.server.client;

import dev.agentledger.server.bootstrap.Credentials;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts for clients of the authority and of tools: trust only the given CAs, present an SVID when given. */
public final class TlsContexts {
    private static final char[] IN_MEMORY = "in-memory".toCharArray();

    private TlsContexts() {}

    /**
     * A TLS 1.3 context presenting {@code client} and trusting the peer by its SPIFFE ID (any host
     * name): a valid SVID of {@code bundle} with exactly the ID {@code peer}.
     *
     * @throws GeneralSecurityException if the key or certificates cannot be loaded
     */
    public static SSLContext forSpiffePeer(dev.agentledger.verifierclient.svid.SpiffeBundle bundle, String peer,
            Credentials client) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers(Optional.of(client)), new javax.net.ssl.TrustManager[] {
            new dev.agentledger.verifierclient.svid.SpiffeTrustManager(() -> bundle, peer::equals, java.time.InstantSource.system())
        }, new SecureRandom());
        return context;
    }

    /**
     * A TLS 1.3 context trusting only {@code trusted}, presenting {@code client} when given.
     *
     * @throws GeneralSecurityException if the key or certificates cannot be loaded
     */
    public static SSLContext of(List<X509Certificate> trusted, Optional<Credentials> client) throws GeneralSecurityException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trust.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keyManagers(client), trustManagers.getTrustManagers(), new SecureRandom());
            return context;
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot build an in-memory key store", e);
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Optional<Credentials> client) throws GeneralSecurityException {
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            if (client.isPresent()) {
                keys.setKeyEntry("svid", client.get().key(), IN_MEMORY, client.get().chain().toArray(Certificate[]::new));
            }
            keyManagers.init(keys, IN_MEMORY);
            return keyManagers.getKeyManagers();
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot build an in-memory key store", e);
        }
    }
}
