package dev.agentledger.issuer;

import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Base64;
import dev.agentledger.ledger.DurableFile;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The issuer's active keys at rest in one directory: each private key as an encrypted PKCS#8 PEM
 * ({@code ENCRYPTED PRIVATE KEY}, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC), the CA
 * certificate and the JWT-SVID and access-token keys' public halves and validity in the clear. Every file is written with
 * mode 0600 (the directory 0700) and replaced atomically.
 *
 * <p>Security guarantees: no private key is written unencrypted; loading with a wrong passphrase
 * is an {@link UnrecoverableKeyException} and never yields a key; a private key that does not
 * match its stored public half is refused.
 */
final class KeyDirectory {
    /** PBKDF2-HMAC-SHA256 iterations, as {@link EncryptedPrivateKeys} uses. */
    static final int KDF_ITERATIONS = EncryptedPrivateKeys.KDF_ITERATIONS;
    private static final String CA_KEY = "ca-key.pem";
    private static final String CA_CERTIFICATE = "ca-cert.pem";
    private static final String JWT = "jwt";
    private static final String ACCESS_TOKEN = "access-token";
    /** The bundle sequence and the retired keys still published (public halves only). */
    private static final String PUBLISHED = "published.txt";

    private final Path directory;
    private final char[] passphrase;
    /** The PKCS#11 token holding the private keys instead of the files; null for encrypted files. */
    private final java.security.KeyStore token;

    KeyDirectory(Path directory, char[] passphrase) {
        if (passphrase.length < 8) {
            throw new IllegalArgumentException("the passphrase has " + passphrase.length + " characters, want at least 8");
        }
        this.directory = directory;
        this.passphrase = passphrase.clone();
        this.token = null;
    }

    /**
     * Keys whose private halves live in {@code token} (a loaded PKCS#11 key store), generated there
     * and never exported; public halves, validity and the published record stay in {@code directory}.
     */
    KeyDirectory(Path directory, java.security.KeyStore token) {
        this.directory = directory;
        this.passphrase = new char[0];
        this.token = token;
    }

    /** The directory of the public halves and records. */
    Path directory() {
        return directory;
    }

    /** A new P-256 key pair where the private keys live: in the token, or in memory (to be encrypted). */
    KeyPair newKeyPair(java.security.SecureRandom random) {
        if (token == null) {
            return SigningKey.newKeyPair(random);
        }
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC", token.getProvider());
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();
            // The public half as a plain JDK key: it is published, compared and encoded like any other.
            PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded()));
            return new KeyPair(publicKey, pair.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the PKCS#11 token cannot generate an EC P-256 key", e);
        }
    }

    /**
     * Writes what the bundle publishes besides the active keys: its {@code spiffe_sequence} and the
     * retired keys (public half, validity, CA certificate, until when they stay), so a restart
     * keeps credentials signed before a rotation verifiable and the sequence growing.
     */
    void savePublished(Authorities authorities) throws IOException {
        StringBuilder text = new StringBuilder("sequence " + authorities.sequence() + "\n");
        Base64.Encoder base64 = Base64.getEncoder();
        for (Authorities.Retired retired : authorities.retired()) {
            SigningKey key = retired.key();
            String certificate;
            try {
                certificate = key.certificate().isPresent() ? base64.encodeToString(key.certificate().get().getEncoded()) : "-";
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IOException("a CA certificate does not encode", e);
            }
            text.append("retired ").append(key.use()).append(' ').append(retired.until().toEpochMilli()).append(' ')
                    .append(key.notBefore().toEpochMilli()).append(' ').append(key.notAfter().toEpochMilli()).append(' ')
                    .append(base64.encodeToString(key.publicKey().getEncoded())).append(' ').append(certificate).append('\n');
        }
        write(PUBLISHED, text.toString());
    }

    /** What {@link #savePublished} wrote: the sequence and the retired keys; sequence 1 and none if never written. */
    Authorities loadPublished(SigningKey ca, SigningKey jwt, SigningKey accessToken) throws IOException {
        Path file = directory.resolve(PUBLISHED);
        if (!Files.exists(file)) {
            return new Authorities(ca, jwt, accessToken, List.of(), 1);
        }
        long sequence = -1;
        List<Authorities.Retired> retired = new ArrayList<>();
        int line = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            line++;
            String[] f = text.split(" ");
            try {
                if (f[0].equals("sequence") && f.length == 2) {
                    sequence = Long.parseLong(f[1]);
                } else if (f[0].equals("retired") && f.length == 7) {
                    SigningKey.Use use = SigningKey.Use.valueOf(f[1]);
                    ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC")
                            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(f[5])));
                    X509Certificate certificate = f[6].equals("-") ? null : (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(f[6])));
                    retired.add(new Authorities.Retired(SigningKey.published(use, key, Instant.ofEpochMilli(Long.parseLong(f[3])),
                            Instant.ofEpochMilli(Long.parseLong(f[4])), certificate), Instant.ofEpochMilli(Long.parseLong(f[2]))));
                } else {
                    throw new IllegalArgumentException("unknown record");
                }
            } catch (RuntimeException | GeneralSecurityException e) {
                throw new IOException(file + " line " + line + " is malformed: " + e.getMessage(), e);
            }
        }
        if (sequence < 1) {
            throw new IOException(file + " has no sequence line");
        }
        return new Authorities(ca, jwt, accessToken, retired, sequence);
    }

    /** True if the directory holds stored keys. */
    boolean exists() {
        return Files.exists(directory.resolve(token == null ? CA_KEY : CA_CERTIFICATE));
    }

    /** Writes the CA key and certificate. */
    void saveCa(SigningKey ca) throws IOException {
        if (token == null) {
            write(CA_KEY, encrypted(ca.privateKey()));
        } else {
            storeInToken(CA_KEY, ca.privateKey(), ca.certificate().orElseThrow());
        }
        write(CA_CERTIFICATE, pem(ca.certificate().orElseThrow()));
    }

    /** Writes the JWT key, its public half and validity. */
    void saveJwt(SigningKey jwt) throws IOException {
        saveBare(JWT, jwt);
    }

    /** True if the directory holds an access-token key (directories written before it existed have none). */
    boolean hasAccessToken() {
        return Files.exists(directory.resolve(ACCESS_TOKEN + (token == null ? "-key.pem" : "-pub.pem")));
    }

    /** Writes the access-token key, its public half and validity. */
    void saveAccessToken(SigningKey key) throws IOException {
        saveBare(ACCESS_TOKEN, key);
    }

    /** Writes a key without certificate as {@code <name>-key.pem}, {@code <name>-pub.pem} and {@code <name>-validity.txt}. */
    private void saveBare(String name, SigningKey key) throws IOException {
        if (token == null) {
            write(name + "-key.pem", encrypted(key.privateKey()));
        } else {
            storeInToken(name + "-key.pem", key.privateKey(), holderCertificate(key));
        }
        write(name + "-pub.pem", pem(new PemObject("PUBLIC KEY", key.publicKey().getEncoded())));
        write(name + "-validity.txt", key.notBefore() + "\n" + key.notAfter() + "\n");
    }

    /** Reads the CA key. */
    SigningKey loadCa() throws IOException, GeneralSecurityException {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(directory.resolve(CA_CERTIFICATE)));
        PrivateKey key = decrypt(CA_KEY);
        requireMatch(certificate.getPublicKey(), key, CA_KEY);
        return SigningKey.ca(new KeyPair(certificate.getPublicKey(), key), certificate);
    }

    /** Reads the JWT key. */
    SigningKey loadJwt() throws IOException, GeneralSecurityException {
        return loadBare(JWT, SigningKey::jwt);
    }

    /** Reads the access-token key. */
    SigningKey loadAccessToken() throws IOException, GeneralSecurityException {
        return loadBare(ACCESS_TOKEN, SigningKey::accessToken);
    }

    /** How a key without certificate is made from its pair and validity. */
    private interface BareKey {
        SigningKey of(KeyPair pair, Instant notBefore, Instant notAfter);
    }

    private SigningKey loadBare(String name, BareKey kind) throws IOException, GeneralSecurityException {
        PemObject object = readPem(name + "-pub.pem");
        PublicKey publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(object.getContent()));
        String validityFile = name + "-validity.txt";
        String[] validity = Files.readString(directory.resolve(validityFile), StandardCharsets.US_ASCII).split("\n");
        PrivateKey key = decrypt(name + "-key.pem");
        requireMatch(publicKey, key, name + "-key.pem");
        try {
            return kind.of(new KeyPair(publicKey, key), Instant.parse(validity[0]), Instant.parse(validity[1]));
        } catch (RuntimeException e) {
            throw new IOException(validityFile + " is malformed: " + e.getMessage(), e);
        }
    }

    private PrivateKey decrypt(String name) throws IOException, GeneralSecurityException {
        if (token != null) {
            java.security.Key key = token.getKey(name, null);
            if (!(key instanceof PrivateKey privateKey)) {
                throw new UnrecoverableKeyException("the PKCS#11 token holds no private key " + name
                        + ": it is not the token these keys were made in");
            }
            return privateKey;
        }
        return EncryptedPrivateKeys.decrypt(Files.readString(directory.resolve(name), StandardCharsets.US_ASCII), passphrase, "EC",
                directory.resolve(name).toString());
    }

    /** Signs and verifies a fixed message: a decryption that produced some other key fails here. */
    private void requireMatch(PublicKey publicKey, PrivateKey privateKey, String name) throws GeneralSecurityException {
        byte[] message = "agentledger key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(message);
        if (!verifier.verify(signature)) {
            throw new UnrecoverableKeyException(directory.resolve(name) + " does not match its public key: wrong passphrase or damaged file");
        }
    }

    /** Makes {@code key} (generated in the token, a session object) a token object under {@code alias}, with {@code certificate}. */
    private void storeInToken(String alias, PrivateKey key, X509Certificate certificate) throws IOException {
        try {
            token.setKeyEntry(alias, key, null, new java.security.cert.Certificate[] {certificate});
        } catch (GeneralSecurityException e) {
            throw new IOException("the PKCS#11 token did not store " + alias + ": " + e.getMessage(), e);
        }
    }

    /**
     * A self-signed certificate of a key without one (JWT-SVID, access token), signed in the token:
     * PKCS#11 key stores keep a private key only beside a certificate. It is never published.
     */
    private X509Certificate holderCertificate(SigningKey key) throws IOException {
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=" + key.keyId() + ", OU=" + key.use() + ", O=AgentLedger");
        try {
            var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
                    java.util.Date.from(key.notBefore()), java.util.Date.from(key.notAfter()), name, key.publicKey());
            var signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                    .setProvider(token.getProvider()).build(key.privateKey());
            return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException | GeneralSecurityException e) {
            throw new IOException("the PKCS#11 token could not sign the holder certificate of " + key + ": " + e.getMessage(), e);
        }
    }

    private String encrypted(PrivateKey key) {
        return EncryptedPrivateKeys.encrypt(key, passphrase);
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private PemObject readPem(String name) throws IOException {
        try (PemReader reader = new PemReader(new StringReader(Files.readString(directory.resolve(name), StandardCharsets.US_ASCII)))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new IOException(directory.resolve(name) + " holds no PEM object");
            }
            return object;
        }
    }

    private Object readPemObject(String name) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(directory.resolve(name), StandardCharsets.US_ASCII)))) {
            return parser.readObject();
        }
    }

    /** Durably replaces {@code name} with {@code text}, mode 0600 (a temporary file moved into place). */
    private void write(String name, String text) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        DurableFile.replace(directory.resolve(name), text.getBytes(StandardCharsets.US_ASCII), DurableFile.OWNER_ONLY);
    }
}
