package dev.agentledger.server.proxy;

import dev.agentledger.issuer.EncryptedPrivateKeys;
import dev.agentledger.ledger.DurableFile;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The upstreams' real credentials (API keys, passwords), encrypted at rest in one file under a
 * passphrase. File layout: the magic {@code AGLSECRETS1\n}, the PBKDF2 iteration count (4 bytes,
 * big-endian), a 16-byte salt, a 12-byte nonce, then AES-256-GCM (NIST SP 800-38D, 128-bit tag)
 * of the entries, with everything before the ciphertext as associated data. The key is
 * PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) of the passphrase and salt. Each entry is its name
 * (2-byte length, UTF-8) and value (4-byte length, bytes). Every write draws a new salt and nonce
 * and replaces the file whole and durably, readable by the owner only.
 *
 * <p>Security: a wrong passphrase and a modified file are both refused (the tag does not verify).
 * Values are handed out only to the proxy's injection; {@link #toString()} and exceptions name
 * secrets, never their values. Thread-safe.
 */
public final class SecretStore {
    /** The environment variable that holds the passphrase when no passphrase file is configured. */
    public static final String PASSPHRASE_VARIABLE = "AGENTLEDGER_PROXY_PASSPHRASE";
    private static final byte[] MAGIC = "AGLSECRETS1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MIN_PASSPHRASE = 8;
    private static final int MAX_VALUE_BYTES = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final char[] passphrase;
    private final Map<String, byte[]> values;

    private SecretStore(Path file, char[] passphrase, Map<String, byte[]> values) {
        this.file = file;
        this.passphrase = passphrase.clone();
        this.values = values;
    }

    /**
     * Opens the store at {@code file}; with {@code create}, a missing file is an empty store (written on the first put).
     *
     * @throws SecretStoreException if the file is missing (without {@code create}), unreadable, not a
     *     store, or does not decrypt under {@code passphrase}
     */
    public static SecretStore open(Path file, char[] passphrase, boolean create) throws SecretStoreException {
        if (passphrase.length < MIN_PASSPHRASE) {
            throw new SecretStoreException("the secret store passphrase is shorter than " + MIN_PASSPHRASE + " characters");
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (create) {
                return new SecretStore(file, passphrase, new TreeMap<>());
            }
            throw new SecretStoreException("no secret store at " + file + " (create it with 'agentledger proxy secrets put')", e);
        } catch (IOException e) {
            throw new SecretStoreException("cannot read the secret store " + file + ": " + e.getMessage(), e);
        }
        return new SecretStore(file, passphrase, decrypt(file, content, passphrase));
    }

    /**
     * The passphrase from {@code passphraseFile} when given (first line), else from the environment
     * variable {@value #PASSPHRASE_VARIABLE} in {@code environment}.
     *
     * @throws SecretStoreException if neither is set or the file cannot be read
     */
    public static char[] passphrase(Optional<Path> passphraseFile, Map<String, String> environment) throws SecretStoreException {
        if (passphraseFile.isPresent()) {
            try {
                return Files.readString(passphraseFile.get(), StandardCharsets.UTF_8).strip().toCharArray();
            } catch (IOException e) {
                throw new SecretStoreException("cannot read the passphrase file " + passphraseFile.get() + ": " + e.getMessage(), e);
            }
        }
        String value = environment.get(PASSPHRASE_VARIABLE);
        if (value == null || value.isEmpty()) {
            throw new SecretStoreException("set " + PASSPHRASE_VARIABLE + " or configure secrets.passphrase_file");
        }
        return value.toCharArray();
    }

    /** The names of the stored secrets, sorted. */
    public synchronized Set<String> names() {
        return Set.copyOf(values.keySet());
    }

    /** The value of secret {@code name}, if stored. */
    synchronized Optional<byte[]> value(String name) {
        return Optional.ofNullable(values.get(name)).map(byte[]::clone);
    }

    /**
     * Stores {@code value} under {@code name} (replacing any earlier value) and rewrites the file.
     *
     * @throws IllegalArgumentException if the name is empty or longer than 255 bytes, or the value
     *     is empty or longer than 64 KiB
     * @throws SecretStoreException if the file cannot be written
     */
    public synchronized void put(String name, byte[] value) throws SecretStoreException {
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255 || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a secret name is 1 to 255 bytes without control characters");
        }
        if (value.length == 0 || value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("a secret value is 1 to " + MAX_VALUE_BYTES + " bytes, got " + value.length);
        }
        Map<String, byte[]> next = new TreeMap<>(values);
        next.put(name, value.clone());
        try {
            DurableFile.replace(file, encrypt(next, passphrase), DurableFile.OWNER_ONLY);
        } catch (IOException e) {
            throw new SecretStoreException("cannot write the secret store " + file + ": " + e.getMessage(), e);
        }
        values.clear();
        values.putAll(next);
    }

    private static byte[] encrypt(Map<String, byte[]> entries, char[] passphrase) throws SecretStoreException {
        byte[] salt = new byte[SALT_BYTES];
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(nonce);
        int iterations = EncryptedPrivateKeys.KDF_ITERATIONS;
        byte[] header = ByteBuffer.allocate(MAGIC.length + 4 + SALT_BYTES + NONCE_BYTES)
                .put(MAGIC).putInt(iterations).put(salt).put(nonce).array();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(plain)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        byte[] plaintext = plain.toByteArray();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(passphrase, salt, iterations), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(header);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(header.length + sealed.length).put(header).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new SecretStoreException("cannot encrypt the secret store: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static Map<String, byte[]> decrypt(Path file, byte[] content, char[] passphrase) throws SecretStoreException {
        int headerLength = MAGIC.length + 4 + SALT_BYTES + NONCE_BYTES;
        if (content.length < headerLength + TAG_BITS / 8 || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SecretStoreException(file + " is not an AgentLedger secret store");
        }
        ByteBuffer header = ByteBuffer.wrap(content, MAGIC.length, headerLength - MAGIC.length);
        int iterations = header.getInt();
        if (iterations < 100_000 || iterations > 10_000_000) {
            throw new SecretStoreException(file + ": PBKDF2 iteration count " + iterations + " is outside [100000, 10000000]");
        }
        byte[] salt = new byte[SALT_BYTES];
        byte[] nonce = new byte[NONCE_BYTES];
        header.get(salt).get(nonce);
        byte[] plaintext;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(passphrase, salt, iterations), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(content, 0, headerLength);
            plaintext = cipher.doFinal(content, headerLength, content.length - headerLength);
        } catch (AEADBadTagException e) {
            throw new SecretStoreException("cannot open the secret store " + file + ": wrong passphrase or modified file", e);
        } catch (GeneralSecurityException e) {
            throw new SecretStoreException("cannot decrypt the secret store " + file + ": " + e.getMessage(), e);
        }
        Map<String, byte[]> entries = new TreeMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plaintext))) {
            while (in.available() > 0) {
                String name = new String(in.readNBytes(in.readUnsignedShort()), StandardCharsets.UTF_8);
                int length = in.readInt();
                if (length < 0 || length > MAX_VALUE_BYTES) {
                    throw new EOFException("value length " + length);
                }
                byte[] value = in.readNBytes(length);
                if (value.length != length) {
                    throw new EOFException("truncated value");
                }
                entries.put(name, value);
            }
        } catch (IOException e) {
            throw new SecretStoreException(file + ": the decrypted entries are malformed (" + e.getMessage() + ")", e);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        return entries;
    }

    private static SecretKeySpec key(char[] passphrase, byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
        try {
            return new SecretKeySpec(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded(), "AES");
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public synchronized String toString() {
        return "SecretStore[" + file + ", names=" + values.keySet() + "]";
    }
}
