package dev.agentledger.server.bootstrap;

import dev.agentledger.issuer.EncryptedPrivateKeys;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Prepares a data directory: on first start creates the settings, the log's Ed25519 checkpoint
 * key, a bootstrap CA, the private listener's certificate and the operator's client certificate;
 * on later starts reads them back and checks they fit the options given.
 *
 * <p>Security: the two authority keys, the log's checkpoint key and the bootstrap CA key, are
 * stored as encrypted PKCS#8 PEM ({@link EncryptedPrivateKeys}) under the key passphrase
 * ({@link KeyPassphrase}), and so are the private listener's TLS key and the operator's client key
 * (commands that connect as the operator find the passphrase the same way, {@link #operator}); data
 * directories made before that keep working with their plain files.
 */
public final class Bootstrap {
    /** The path of the server's SPIFFE ID, {@code spiffe://<td>/agentledger/server}. */
    public static final String SERVER_PATH = "agentledger/server";
    /** The path of the operator's SPIFFE ID, {@code spiffe://<td>/operator}. */
    public static final String OPERATOR_PATH = "operator";

    private Bootstrap() {}

    /**
     * What a prepared data directory holds.
     *
     * @param dir the directory layout
     * @param settings trust domain and origin
     * @param logKey the checkpoint signing key (secret)
     * @param caCertificate the bootstrap CA certificate
     * @param server the private listener's key and chain
     * @param created the files this start created (empty on a later start)
     * @param passphrase the key passphrase (secret) and where it came from
     */
    public record Prepared(DataDir dir, Settings settings, SignerKey logKey, X509Certificate caCertificate,
            Credentials server, List<Path> created, KeyPassphrase.Resolved passphrase) {
        /** Copies the list. */
        public Prepared {
            created = List.copyOf(created);
        }

        /** The operator's SPIFFE ID. */
        public SpiffeId operatorId() {
            return SpiffeId.of(settings.trustDomain(), OPERATOR_PATH);
        }
    }

    /**
     * Creates what is missing in {@code dir} and reads the rest.
     *
     * @param trustDomain the trust domain asked for, or empty for the stored one (or the default)
     * @param origin the origin asked for, or empty for the stored one (or the default)
     * @throws BootstrapException if the directory was created with other settings, is half-made,
     *     or cannot be read or written
     */
    public static Prepared prepare(DataDir dir, Optional<String> trustDomain, Optional<String> origin, InstantSource clock)
            throws BootstrapException {
        try {
            List<Path> created = new ArrayList<>();
            Settings settings = settings(dir, trustDomain, origin, created);
            KeyPassphrase.Resolved passphrase = KeyPassphrase.resolve(dir, Optional.ofNullable(System.getenv(KeyPassphrase.VARIABLE)));
            SignerKey logKey = logKey(dir, settings, created, passphrase.value());
            CertificateAuthority ca = authority(dir, settings, clock, created, passphrase.value());
            Credentials server = leaf(dir.serverKey(), dir.serverCertificate(), ca, created, passphrase.value(),
                    () -> ca.issueServer(SpiffeId.of(settings.trustDomain(), SERVER_PATH)));
            if (!Files.exists(dir.operatorCertificate())) {
                leaf(dir.operatorKey(), dir.operatorCertificate(), ca, created, passphrase.value(),
                        () -> ca.issueClient(SpiffeId.of(settings.trustDomain(), OPERATOR_PATH)));
            }
            return new Prepared(dir, settings, logKey, ca.certificate(), server, created, passphrase);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new BootstrapException("cannot prepare data directory " + dir.root() + ": " + e.getMessage(), e);
        }
    }

    private static Settings settings(DataDir dir, Optional<String> trustDomain, Optional<String> origin, List<Path> created)
            throws IOException, BootstrapException {
        Optional<Settings> stored = Settings.read(dir.settings());
        if (stored.isPresent()) {
            Settings s = stored.get();
            if (trustDomain.isPresent() && !trustDomain.get().equals(s.trustDomain())) {
                throw new BootstrapException(dir.root() + " belongs to trust domain " + s.trustDomain()
                        + ", not " + trustDomain.get() + ": leave out --trust-domain, or use another --data directory");
            }
            if (origin.isPresent() && !origin.get().equals(s.origin())) {
                throw new BootstrapException(dir.root() + " holds the log with origin " + s.origin()
                        + ", not " + origin.get() + ": leave out --origin, or use another --data directory");
            }
            return s;
        }
        if (Files.exists(dir.logKey()) || Files.exists(dir.ledger())) {
            throw new BootstrapException(dir.root() + " has a log key or store but no " + dir.settings().getFileName()
                    + ": restore that file, or use an empty --data directory");
        }
        String td = trustDomain.orElse(Settings.DEFAULT_TRUST_DOMAIN);
        Settings s = new Settings(td, origin.orElse(Settings.defaultOrigin(td)));
        s.write(dir.settings());
        created.add(dir.settings());
        return s;
    }

    private static SignerKey logKey(DataDir dir, Settings settings, List<Path> created, char[] passphrase)
            throws IOException, GeneralSecurityException, BootstrapException {
        if (Files.exists(dir.logKey())) {
            String text = Files.readString(dir.logKey(), StandardCharsets.UTF_8);
            SignerKey key = EncryptedPrivateKeys.isEncrypted(text)
                    ? SignerKey.fromSeed(settings.origin(), SignatureType.ED25519, ed25519Seed(
                            EncryptedPrivateKeys.decrypt(text, passphrase, "Ed25519", dir.logKey().toString())))
                    : SignerKey.parse(text.strip());
            if (!key.name().equals(settings.origin())) {
                throw new BootstrapException(dir.logKey() + " is named " + key.name() + ", want the origin "
                        + settings.origin() + ": the key file belongs to another log");
            }
            return key;
        }
        SignerKey key = SignerKey.generate(settings.origin(), SignatureType.ED25519);
        PrivateFiles.writeSecret(dir.logKey(), EncryptedPrivateKeys.encrypt(ed25519PrivateKey(key), passphrase)
                .getBytes(StandardCharsets.US_ASCII));
        created.add(dir.logKey());
        if (!Files.exists(dir.logVerifierKey())) {
            PrivateFiles.writePublic(dir.logVerifierKey(), (key.verifierKey() + "\n").getBytes(StandardCharsets.UTF_8));
            created.add(dir.logVerifierKey());
        }
        return key;
    }

    private static CertificateAuthority authority(DataDir dir, Settings settings, InstantSource clock, List<Path> created,
            char[] passphrase) throws IOException, GeneralSecurityException, BootstrapException {
        if (Files.exists(dir.caCertificate())) {
            return certificateAuthority(dir, passphrase, clock);
        }
        if (Files.exists(dir.serverCertificate()) || Files.exists(dir.operatorCertificate())) {
            throw new BootstrapException(dir.tls() + " has certificates but no ca.pem: restore it, or move "
                    + dir.tls() + " away to issue new ones");
        }
        CertificateAuthority ca = CertificateAuthority.create(settings.trustDomain(), clock);
        PrivateFiles.writePublic(dir.caCertificate(), Pem.certificates(ca.credentials().chain()).getBytes(StandardCharsets.US_ASCII));
        PrivateFiles.writeSecret(dir.caKey(), EncryptedPrivateKeys.encrypt(ca.credentials().key(), passphrase)
                .getBytes(StandardCharsets.US_ASCII));
        created.add(dir.caCertificate());
        created.add(dir.caKey());
        return ca;
    }

    /**
     * The bootstrap CA of {@code dir}, its key decrypted with {@code passphrase} (or read plain from
     * a data directory made before keys were encrypted).
     *
     * @throws java.security.UnrecoverableKeyException if the passphrase is wrong
     */
    public static CertificateAuthority certificateAuthority(DataDir dir, char[] passphrase, InstantSource clock)
            throws IOException, GeneralSecurityException {
        String text = Files.readString(dir.caKey(), StandardCharsets.US_ASCII);
        if (!EncryptedPrivateKeys.isEncrypted(text)) {
            return new CertificateAuthority(Credentials.read(dir.caKey(), dir.caCertificate()), clock);
        }
        java.security.PrivateKey key = EncryptedPrivateKeys.decrypt(text, passphrase, "EC", dir.caKey().toString());
        return new CertificateAuthority(new Credentials(key, Pem.readCertificates(dir.caCertificate())), clock);
    }

    /**
     * The operator's client credentials in {@code dir}, the key decrypted with the key passphrase
     * found as {@code serve} finds it ({@value KeyPassphrase#VARIABLE}, else the data directory's file).
     *
     * @throws BootstrapException if {@code dir} has no operator credentials, or they cannot be read or decrypted
     */
    public static Credentials operator(DataDir dir) throws BootstrapException {
        if (!Files.exists(dir.operatorCertificate())) {
            throw new BootstrapException(dir.operatorCertificate() + " does not exist: give the data directory the server was started with");
        }
        KeyPassphrase.Resolved passphrase = KeyPassphrase.resolve(dir, Optional.ofNullable(System.getenv(KeyPassphrase.VARIABLE)));
        try {
            return Credentials.read(dir.operatorKey(), dir.operatorCertificate(), passphrase.value());
        } catch (java.security.UnrecoverableKeyException e) {
            throw new BootstrapException("cannot decrypt " + dir.operatorKey() + ": wrong passphrase (" + KeyPassphrase.VARIABLE
                    + " or " + dir.keyPassphrase() + ") or damaged file", e);
        } catch (IOException e) {
            throw new BootstrapException("cannot read the operator credentials in " + dir.tls() + ": " + e.getMessage(), e);
        }
    }

    /** The RFC 8410 PKCS#8 form of an Ed25519 note key: a fixed 16-byte header, then the 32-byte seed. */
    private static java.security.PrivateKey ed25519PrivateKey(SignerKey key) throws GeneralSecurityException {
        String skey = key.toPrivateKeyString();
        byte[] typed = java.util.Base64.getDecoder().decode(skey.split("\\+", 5)[4]); // PRIVATE+KEY+name+id+key; the key may hold +
        byte[] pkcs8 = java.util.HexFormat.of().parseHex("302e020100300506032b657004220420");
        byte[] encoded = java.util.Arrays.copyOf(pkcs8, pkcs8.length + 32);
        System.arraycopy(typed, 1, encoded, pkcs8.length, 32);
        return java.security.KeyFactory.getInstance("Ed25519").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(encoded));
    }

    /** The 32-byte seed of an Ed25519 private key (the last 32 bytes of its RFC 8410 PKCS#8 form). */
    private static byte[] ed25519Seed(java.security.PrivateKey key) {
        byte[] encoded = key.getEncoded();
        return java.util.Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    private interface Issue {
        Credentials issue() throws GeneralSecurityException;
    }

    private static Credentials leaf(Path keyFile, Path chainFile, CertificateAuthority ca, List<Path> created, char[] passphrase,
            Issue issue) throws IOException, GeneralSecurityException {
        if (Files.exists(chainFile)) {
            return Credentials.read(keyFile, chainFile, passphrase);
        }
        Credentials credentials = issue.issue();
        credentials.write(keyFile, chainFile, passphrase);
        created.add(chainFile);
        created.add(keyFile);
        return credentials;
    }
}
