package dev.agentledger.server.proxy;

/**
 * The secret store cannot be opened or written: a wrong passphrase or a tampered file (the
 * AES-GCM tag does not verify), an unknown format, or an I/O failure. The message never holds a
 * secret value.
 */
public final class SecretStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, caused by {@code cause}. */
    public SecretStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure explained by {@code message}. */
    public SecretStoreException(String message) {
        super(message);
    }
}
