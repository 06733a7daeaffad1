package dev.agentledger.server.proxy;

/** The proxy's configuration file cannot be read or holds an invalid value; the message says which. */
public final class ProxyConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, caused by {@code cause}. */
    public ProxyConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure explained by {@code message}. */
    public ProxyConfigException(String message) {
        super(message);
    }
}
