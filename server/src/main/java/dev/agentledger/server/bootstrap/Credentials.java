package dev.agentledger.server.bootstrap;

import dev.agentledger.issuer.EncryptedPrivateKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.UnrecoverableKeyException;
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
     * Reads a plain PEM key and a PEM chain (an agent's or a user's files).
     *
     * @throws IOException if either file is missing or malformed
     */
    public static Credentials read(Path keyFile, Path chainFile) throws IOException {
        return new Credentials(Pem.readPrivateKey(keyFile), Pem.readCertificates(chainFile));
    }

    /**
     * Reads PEM files written by {@link #write}: the key encrypted under {@code passphrase}
     * ({@link EncryptedPrivateKeys}), or plain as in data directories made before TLS keys were encrypted.
     *
     * @throws java.security.UnrecoverableKeyException if the passphrase is wrong or the key file damaged
     * @throws IOException if either file is missing or malformed
     */
    public static Credentials read(Path keyFile, Path chainFile, char[] passphrase) throws IOException, UnrecoverableKeyException {
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        PrivateKey key = EncryptedPrivateKeys.isEncrypted(text)
                ? EncryptedPrivateKeys.decrypt(text, passphrase, "EC", keyFile.toString())
                : Pem.readPrivateKey(keyFile);
        return new Credentials(key, Pem.readCertificates(chainFile));
    }

    /**
     * Writes the key as plain PEM (mode 0600) and the chain; refuses to overwrite either. For an
     * agent's own short-lived SVID files; the authority's keys use {@link #write(Path, Path, char[])}.
     */
    public void write(Path keyFile, Path chainFile) throws IOException {
        PrivateFiles.writeSecret(keyFile, Pem.privateKey(key).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(chainFile, Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Writes the key encrypted under {@code passphrase} (mode 0600) and the chain as PEM; refuses to
     * overwrite either.
     */
    public void write(Path keyFile, Path chainFile, char[] passphrase) throws IOException {
        PrivateFiles.writeSecret(keyFile, EncryptedPrivateKeys.encrypt(key, passphrase).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writePublic(chainFile, Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "Credentials[" + certificate().getSubjectX500Principal() + "]";
    }
}
