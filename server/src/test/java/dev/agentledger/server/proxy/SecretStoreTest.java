package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encrypted secret store: round trip, no plaintext on disk, wrong passphrase and tampering refused. */
class SecretStoreTest {
    private static final char[] PASSPHRASE = "a long enough passphrase".toCharArray();
    private static final byte[] VALUE = "sk-live-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @Test
    void aStoredSecretReadsBackAfterReopeningAndIsNotOnDiskInClear(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets.enc");
        SecretStore.open(file, PASSPHRASE, true).put("billing-api-key", VALUE);
        SecretStore.open(file, PASSPHRASE, false).put("db-password", "hunter2hunter2".getBytes(StandardCharsets.UTF_8));
        SecretStore reopened = SecretStore.open(file, PASSPHRASE, false);
        assertEquals(Set.of("billing-api-key", "db-password"), reopened.names());
        assertArrayEquals(VALUE, reopened.value("billing-api-key").orElseThrow());
        assertEquals(Optional.empty(), reopened.value("missing"));
        byte[] disk = Files.readAllBytes(file);
        assertFalse(new String(disk, StandardCharsets.ISO_8859_1).contains("sk-live"), "the value is on disk in clear");
        assertFalse(new String(disk, StandardCharsets.ISO_8859_1).contains("billing"), "names are encrypted too");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        assertFalse(reopened.toString().contains("sk-live"));
    }

    @Test
    void aWrongPassphraseAndEveryFlippedByteAreRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets.enc");
        SecretStore.open(file, PASSPHRASE, true).put("k", VALUE);
        SecretStoreException wrong = assertThrows(SecretStoreException.class,
                () -> SecretStore.open(file, "another passphrase".toCharArray(), false));
        assertTrue(wrong.getMessage().contains("wrong passphrase or modified file"), wrong.getMessage());
        byte[] original = Files.readAllBytes(file);
        // One flip in the header's iteration count, salt, nonce, the ciphertext and the tag: all refused.
        for (int at : new int[] {14, 20, 36, 45, original.length - 1}) {
            byte[] tampered = original.clone();
            tampered[at] ^= 1;
            Files.write(file, tampered);
            assertThrows(SecretStoreException.class, () -> SecretStore.open(file, PASSPHRASE, false), "flip at " + at);
        }
        Files.write(file, "AGLSECRETS1\n".getBytes(StandardCharsets.US_ASCII));
        assertThrows(SecretStoreException.class, () -> SecretStore.open(file, PASSPHRASE, false), "truncated");
    }

    @Test
    void aMissingStoreShortPassphraseAndBadNamesAreRefused(@TempDir Path dir) throws Exception {
        assertThrows(SecretStoreException.class, () -> SecretStore.open(dir.resolve("none"), PASSPHRASE, false));
        assertThrows(SecretStoreException.class, () -> SecretStore.open(dir.resolve("none"), "short".toCharArray(), true));
        SecretStore store = SecretStore.open(dir.resolve("s"), PASSPHRASE, true);
        assertThrows(IllegalArgumentException.class, () -> store.put("", VALUE));
        assertThrows(IllegalArgumentException.class, () -> store.put("line\nbreak", VALUE));
        assertThrows(IllegalArgumentException.class, () -> store.put("empty", new byte[0]));
        assertFalse(Files.exists(dir.resolve("s")), "nothing was written");
    }

    @Test
    void thePassphraseComesFromTheFileElseTheVariable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("passphrase");
        Files.writeString(file, "from the file\n");
        assertArrayEquals("from the file".toCharArray(),
                SecretStore.passphrase(Optional.of(file), Map.of(SecretStore.PASSPHRASE_VARIABLE, "from the variable")));
        assertArrayEquals("from the variable".toCharArray(),
                SecretStore.passphrase(Optional.empty(), Map.of(SecretStore.PASSPHRASE_VARIABLE, "from the variable")));
        assertThrows(SecretStoreException.class, () -> SecretStore.passphrase(Optional.empty(), Map.of()));
    }
}
