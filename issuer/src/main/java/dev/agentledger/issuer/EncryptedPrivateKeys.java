package dev.agentledger.issuer;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Private keys at rest: an encrypted PKCS#8 PEM ({@code ENCRYPTED PRIVATE KEY}, RFC 5958 and
 * PKCS#5 v2.1 PBES2 with PBKDF2-HMAC-SHA256, {@value #KDF_ITERATIONS} iterations, and
 * AES-256-CBC), which {@code openssl pkey} reads with the same passphrase.
 *
 * <p>Security guarantees: nothing here writes a key unencrypted; a wrong passphrase or a damaged
 * file is an {@link UnrecoverableKeyException}, never a key.
 */
public final class EncryptedPrivateKeys {
    /** PBKDF2-HMAC-SHA256 iterations (OWASP's 2023 recommendation). */
    public static final int KDF_ITERATIONS = 600_000;
    /** The PEM label of an encrypted PKCS#8 key. */
    public static final String PEM_LABEL = "ENCRYPTED PRIVATE KEY";
    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

    private EncryptedPrivateKeys() {}

    /** {@code key} as an encrypted PKCS#8 PEM under {@code passphrase} (at least 8 characters). */
    public static String encrypt(PrivateKey key, char[] passphrase) {
        if (passphrase.length < 8) {
            throw new IllegalArgumentException("the passphrase has " + passphrase.length + " characters, want at least 8");
        }
        try {
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                    .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
                    .setIterationCount(KDF_ITERATIONS)
                    .setProvider(PROVIDER)
                    .setPassword(passphrase)
                    .build();
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                writer.writeObject(new JcaPKCS8Generator(key, encryptor).generate());
            }
            return text.toString();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("BouncyCastle cannot encrypt with AES-256-CBC and PBKDF2", e);
        }
    }

    /**
     * The key in an encrypted PKCS#8 PEM.
     *
     * @param algorithm the key's algorithm ({@code EC}, {@code Ed25519})
     * @param source the file or place the PEM came from, for messages
     * @throws IOException if the text is not an encrypted PKCS#8 PEM
     * @throws UnrecoverableKeyException if the passphrase is wrong or the content damaged
     */
    public static PrivateKey decrypt(String pem, char[] passphrase, String algorithm, String source)
            throws IOException, UnrecoverableKeyException {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            object = parser.readObject();
        }
        if (!(object instanceof PKCS8EncryptedPrivateKeyInfo encrypted)) {
            throw new IOException(source + " is not an encrypted PKCS#8 private key");
        }
        try {
            PrivateKeyInfo info = encrypted.decryptPrivateKeyInfo(
                    new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(PROVIDER).build(passphrase));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (PKCSException | OperatorCreationException | GeneralSecurityException | IllegalArgumentException e) {
            // A wrong passphrase shows as a padding error, or (rarely) as garbage that fails to parse.
            throw new UnrecoverableKeyException("cannot decrypt " + source + ": wrong passphrase or damaged file");
        }
    }

    /** True if {@code text} is an encrypted PKCS#8 PEM (says nothing of its content). */
    public static boolean isEncrypted(String text) {
        return text.contains("-----BEGIN " + PEM_LABEL + "-----");
    }
}
