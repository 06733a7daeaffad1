package dev.agentledger.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Where the authority's private keys live: encrypted files in the data directory, or a PKCS#11
 * token (PKCS#11 v2.40 through the JDK's SunPKCS11 provider).
 */
public sealed interface KeyStorage {
    /** Encrypted PKCS#8 files under the key passphrase ({@code AGENTLEDGER_KEY_PASSPHRASE} or the data directory's file). */
    record EncryptedFiles() implements KeyStorage {}

    /**
     * A PKCS#11 token: the CA, JWT-SVID and access-token keys are generated in it and never leave it.
     *
     * @param library the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
     * @param slot the token's slot id, if chosen by id
     * @param slotIndex the token's index in the slot list, if chosen by index (one of the two is set)
     * @param pin where the user PIN is read
     */
    record Pkcs11(Path library, OptionalLong slot, OptionalInt slotIndex, Secret pin) implements KeyStorage {
        /** Validates: exactly one of slot and slot index; throws {@link IllegalArgumentException}. */
        public Pkcs11 {
            Objects.requireNonNull(library, "library");
            Objects.requireNonNull(pin, "pin");
            if (slot.isPresent() == slotIndex.isPresent()) {
                throw new IllegalArgumentException("keys: give exactly one of slot and slot-index for the PKCS#11 token");
            }
            if (slotIndex.isPresent() && slotIndex.getAsInt() < 0) {
                throw new IllegalArgumentException("keys.slot-index " + slotIndex.getAsInt() + " is negative");
            }
        }
    }

    /**
     * Where a secret (a PIN) is read at start: an environment variable or a file. The secret itself
     * is never part of the configuration, so printing the configuration prints no secret.
     *
     * @param variable the environment variable, if read from one
     * @param file the file (its content stripped of surrounding white space), if read from one
     */
    record Secret(Optional<String> variable, Optional<Path> file) {
        /** Validates: exactly one source. */
        public Secret {
            if (variable.isPresent() == file.isPresent()) {
                throw new IllegalArgumentException("keys: give exactly one of pin-env and pin-file");
            }
        }
    }
}
