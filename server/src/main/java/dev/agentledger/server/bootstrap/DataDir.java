package dev.agentledger.server.bootstrap;

import java.nio.file.Path;

/**
 * Where a server keeps its state under its data directory: the log store, the checkpoint key, the
 * bootstrap TLS material and the settings fixed at first start.
 *
 * @param root the data directory ({@code serve --data DIR})
 */
public record DataDir(Path root) {
    /** Requires a path; it need not exist yet. */
    public DataDir {
        root = root.toAbsolutePath().normalize();
    }

    /** The RocksDB store of the log. */
    public Path ledger() {
        return root.resolve("ledger");
    }

    /** Settings fixed at first start (trust domain, origin). */
    public Path settings() {
        return root.resolve("agentledger.properties");
    }

    /** The log's checkpoint signing key, a C2SP note private key string (secret, mode 0600). */
    public Path logKey() {
        return root.resolve("keys").resolve("log.key");
    }

    /** The latest witnessed checkpoint: the log's note with the witnesses' cosignatures (public). */
    public Path witnessedCheckpoint() {
        return root.resolve("witnessed-checkpoint");
    }

    /** The log's note verifier key string (public). */
    public Path logVerifierKey() {
        return root.resolve("keys").resolve("log.vkey");
    }

    /** The issuer's CA, JWT and token signing keys, encrypted with the key passphrase. */
    public Path issuerKeys() {
        return root.resolve("keys").resolve("issuer");
    }

    /**
     * The generated key passphrase, used when {@code AGENTLEDGER_KEY_PASSPHRASE} is not set
     * (secret, mode 0600; keep it elsewhere, or set the variable, to protect the keys at rest).
     */
    public Path keyPassphrase() {
        return root.resolve("keys").resolve("passphrase");
    }

    /** The TLS directory. */
    public Path tls() {
        return root.resolve("tls");
    }

    /** The bootstrap CA certificate (PEM): what clients and the private listener trust. */
    public Path caCertificate() {
        return tls().resolve("ca.pem");
    }

    /** The bootstrap CA private key (PKCS#8 PEM, mode 0600). */
    public Path caKey() {
        return tls().resolve("ca.key");
    }

    /** The private listener's certificate chain (PEM). */
    public Path serverCertificate() {
        return tls().resolve("server.pem");
    }

    /** The private listener's private key (PKCS#8 PEM, mode 0600). */
    public Path serverKey() {
        return tls().resolve("server.key");
    }

    /** The operator's client certificate chain (PEM). */
    public Path operatorCertificate() {
        return tls().resolve("operator.pem");
    }

    /** The operator's private key (PKCS#8 PEM, mode 0600). */
    public Path operatorKey() {
        return tls().resolve("operator.key");
    }
}
