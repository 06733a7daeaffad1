package dev.agentledger.server.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The passphrase that encrypts the issuer's keys at rest: the environment variable
 * {@value #VARIABLE} when set, else a random one generated on first start into the data
 * directory (mode 0600). The second form protects a copied key file but not a copied data
 * directory; operators set the variable (or mount the file from a secret store) for real use.
 */
public final class KeyPassphrase {
    /** The environment variable that holds the passphrase. */
    public static final String VARIABLE = "AGENTLEDGER_KEY_PASSPHRASE";
    private static final int MIN_LENGTH = 8;

    /** Where a passphrase came from, for the startup report. */
    public enum Source {
        /** The environment variable. */
        ENVIRONMENT,
        /** The generated file in the data directory. */
        DATA_DIRECTORY
    }

    /**
     * The passphrase and where it came from.
     *
     * @param value the passphrase (secret)
     * @param source where it was read
     */
    public record Resolved(char[] value, Source source) {}

    private KeyPassphrase() {}

    /**
     * Resolves the passphrase for {@code dir}.
     *
     * @param environment the variable's value, if set
     * @throws BootstrapException if the variable is shorter than 8 characters or the file cannot be
     *     read or written
     */
    public static Resolved resolve(DataDir dir, Optional<String> environment) throws BootstrapException {
        if (environment.isPresent()) {
            if (environment.get().length() < MIN_LENGTH) {
                throw new BootstrapException(VARIABLE + " is shorter than " + MIN_LENGTH + " characters; use a longer passphrase");
            }
            return new Resolved(environment.get().toCharArray(), Source.ENVIRONMENT);
        }
        try {
            if (!Files.exists(dir.keyPassphrase())) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                PrivateFiles.createPrivateDirectory(dir.keyPassphrase().getParent());
                PrivateFiles.writeSecret(dir.keyPassphrase(),
                        Base64.getUrlEncoder().withoutPadding().encodeToString(random).getBytes(StandardCharsets.US_ASCII));
            }
            String stored = Files.readString(dir.keyPassphrase(), StandardCharsets.US_ASCII).strip();
            if (stored.length() < MIN_LENGTH) {
                throw new BootstrapException(dir.keyPassphrase() + " holds fewer than " + MIN_LENGTH + " characters");
            }
            return new Resolved(stored.toCharArray(), Source.DATA_DIRECTORY);
        } catch (IOException e) {
            throw new BootstrapException("cannot read or create the key passphrase " + dir.keyPassphrase() + ": " + e.getMessage(), e);
        }
    }
}
