package dev.agentledger.server.bootstrap;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A private key and its certificate chain (leaf first), as TLS presents them.
 *
 * @param key the leaf certificate's private key
 * @param chain the leaf certificate, then any intermediates
 */
public record Credentials(PrivateKey key, List<X509Certificate> chain) {
    /** Requires a key and a non-empty chain; copies the chain. */
    public Credentials {
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the leaf");
        }
    }

    /** The leaf certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /**
     * Reads PEM files written by {@link #write}.
     *
     * @throws IOException if either file is missing or malformed
     */
    public static Credentials read(Path keyFile, Path chainFile) throws IOException {
        return new Credentials(Pem.readPrivateKey(keyFile), Pem.readCertificates(chainFile));
    }

    /** Writes the key (mode 0600) and the chain as PEM; refuses to overwrite either. */
    public void write(Path keyFile, Path chainFile) throws IOException {
        PrivateFiles.writeSecret(keyFile, Pem.privateKey(key).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(chainFile, Pem.certificates(chain).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "Credentials[" + certificate().getSubjectX500Principal() + "]";
    }
}
