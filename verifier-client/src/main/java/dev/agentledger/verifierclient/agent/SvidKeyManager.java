package dev.agentledger.verifierclient.agent;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A client key manager that presents the agent's newest verified X509-SVID on every TLS
 * handshake, and nothing once the identity is revoked or the agent closed (the handshake then
 * proceeds without a client certificate, and an mTLS server refuses it).
 *
 * <p>Thread-safe: it reads the current SVID at each call.
 */
public final class SvidKeyManager extends X509ExtendedKeyManager {
    /** The prefix of the aliases: {@code svid:<serial hex>}, one per SVID, so a renewal between the calls of one handshake cannot pair a key with another certificate. */
    public static final String ALIAS = "svid:";

    private final Supplier<Optional<Svid>> current;
    /** The SVIDs chosen lately by alias (at most two: the current one and the one before). */
    private final java.util.Map<String, Svid> chosen = new java.util.concurrent.ConcurrentHashMap<>();

    /** Presents whatever {@code current} holds at each handshake (empty: present nothing). */
    public SvidKeyManager(Supplier<Optional<Svid>> current) {
        this.current = current;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return "EC".equals(keyType) ? current.get().map(svid -> new String[] {remember(svid)}).orElse(null) : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return choose(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return choose(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Svid svid = alias == null ? null : chosen.get(alias);
        return svid == null ? null : svid.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Svid svid = alias == null ? null : chosen.get(alias);
        return svid == null ? null : svid.key();
    }

    private String choose(String[] keyTypes) {
        Optional<Svid> svid = current.get();
        if (svid.isEmpty() || keyTypes == null) {
            return null;
        }
        for (String type : keyTypes) {
            if ("EC".equals(type)) {
                return remember(svid.get());
            }
        }
        return null;
    }

    private String remember(Svid svid) {
        String alias = ALIAS + svid.serialHex();
        if (chosen.putIfAbsent(alias, svid) == null) {
            chosen.keySet().removeIf(other -> !other.equals(alias) && chosen.size() > 2);
        }
        return alias;
    }
}
