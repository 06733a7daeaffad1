package dev.agentledger.server.bootstrap;

import dev.agentledger.server.config.KeyStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;

/**
 * Opens a PKCS#11 token through the JDK's SunPKCS11 provider (PKCS#11 v2.40; tested with SoftHSM2)
 * and logs in with the user PIN from the configured environment variable or file. The provider is
 * installed so that keys of the token find it when they sign.
 *
 * <p>Found on JDK 25: SunPKCS11 offers EC (ECDSA P-256) but no EdDSA, even over a token that
 * supports it (SoftHSM2 2.6 does); the log's Ed25519 checkpoint key therefore stays an encrypted file.
 */
public final class Pkcs11Token {
    private Pkcs11Token() {}

    /**
     * The token's key store, logged in.
     *
     * @throws BootstrapException if the PIN cannot be read, the library not loaded, the slot not
     *     found, or the login refused
     */
    public static KeyStore open(KeyStorage.Pkcs11 config) throws BootstrapException {
        char[] pin = pin(config.pin());
        String name = "agentledger-" + (config.slot().isPresent() ? "slot-" + config.slot().getAsLong()
                : "index-" + config.slotIndex().getAsInt());
        String text = "--name = " + name + "\n"
                + "library = " + config.library().toAbsolutePath() + "\n"
                + (config.slot().isPresent() ? "slot = " + config.slot().getAsLong() : "slotListIndex = " + config.slotIndex().getAsInt()) + "\n";
        Provider provider;
        try {
            provider = Security.getProvider("SunPKCS11").configure(text);
        } catch (RuntimeException e) {
            throw new BootstrapException("cannot load the PKCS#11 library " + config.library() + " for "
                    + name + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        // A restart in the same process replaces the provider of the same token (its keys are bound to it).
        Security.removeProvider(provider.getName());
        Security.addProvider(provider);
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, pin);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new BootstrapException("cannot log in to the PKCS#11 token (" + name + " of " + config.library() + "): "
                    + e.getMessage() + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""), e);
        } finally {
            java.util.Arrays.fill(pin, '\0');
        }
    }

    private static char[] pin(KeyStorage.Secret secret) throws BootstrapException {
        if (secret.variable().isPresent()) {
            String value = System.getenv(secret.variable().get());
            if (value == null || value.isEmpty()) {
                throw new BootstrapException("the PKCS#11 PIN variable " + secret.variable().get() + " is not set");
            }
            return value.toCharArray();
        }
        try {
            return Files.readString(secret.file().orElseThrow(), StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
            throw new BootstrapException("cannot read the PKCS#11 PIN file " + secret.file().get() + ": " + e.getMessage(), e);
        }
    }
}
