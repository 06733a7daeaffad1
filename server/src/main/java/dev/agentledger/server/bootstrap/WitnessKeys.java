package dev.agentledger.server.bootstrap;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The witness's {@code cosignature/v1} key in its data directory: {@code witness.key} (the C2SP
 * private key string, mode 0600) and {@code witness.vkey} (the verifier key string, public),
 * generated on first start.
 */
public final class WitnessKeys {
    /** The secret key file's name. */
    public static final String KEY_FILE = "witness.key";
    /** The public verifier key file's name. */
    public static final String VERIFIER_KEY_FILE = "witness.vkey";

    private WitnessKeys() {}

    /**
     * The key and whether this call created it.
     *
     * @param key the witness's signing key
     * @param created true on first start
     */
    public record Loaded(SignerKey key, boolean created) {}

    /**
     * Reads the witness key from {@code dir}, or generates one named {@code name} there.
     *
     * @throws BootstrapException if the key file is unreadable or not a {@code cosignature/v1} key,
     *     or names another witness than {@code name}
     */
    public static Loaded loadOrCreate(Path dir, String name) throws BootstrapException {
        Path keyFile = dir.resolve(KEY_FILE);
        try {
            if (Files.exists(keyFile)) {
                SignerKey key = SignerKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8).strip());
                if (key.type() != SignatureType.COSIGNATURE_V1) {
                    throw new BootstrapException(keyFile + " holds a " + key.type() + " key, want COSIGNATURE_V1");
                }
                if (!key.name().equals(name)) {
                    throw new BootstrapException(keyFile + " is the key of witness \"" + key.name()
                            + "\", not \"" + name + "\"; the name is fixed at first start");
                }
                return new Loaded(key, false);
            }
            PrivateFiles.createPrivateDirectory(dir);
            SignerKey key = SignerKey.generate(name, SignatureType.COSIGNATURE_V1);
            PrivateFiles.writeSecret(keyFile, (key.toPrivateKeyString() + "\n").getBytes(StandardCharsets.UTF_8));
            Path vkeyFile = dir.resolve(VERIFIER_KEY_FILE);
            Files.deleteIfExists(vkeyFile);
            PrivateFiles.writePublic(vkeyFile, (key.verifierKey() + "\n").getBytes(StandardCharsets.UTF_8));
            return new Loaded(key, true);
        } catch (IOException e) {
            throw new BootstrapException("cannot prepare the witness key in " + dir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BootstrapException(keyFile + " is not a witness key: " + e.getMessage(), e);
        }
    }
}
