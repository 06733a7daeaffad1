package dev.agentledger.server.bootstrap;

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
 * <p>Security: private keys are plain PEM or key-string files with mode 0600; they are not
 * encrypted at rest yet.
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
     */
    public record Prepared(DataDir dir, Settings settings, SignerKey logKey, X509Certificate caCertificate,
            Credentials server, List<Path> created) {
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
            SignerKey logKey = logKey(dir, settings, created);
            CertificateAuthority ca = authority(dir, settings, clock, created);
            Credentials server = leaf(dir.serverKey(), dir.serverCertificate(), ca, created,
                    () -> ca.issueServer(SpiffeId.of(settings.trustDomain(), SERVER_PATH)));
            leaf(dir.operatorKey(), dir.operatorCertificate(), ca, created,
                    () -> ca.issueClient(SpiffeId.of(settings.trustDomain(), OPERATOR_PATH)));
            return new Prepared(dir, settings, logKey, ca.certificate(), server, created);
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

    private static SignerKey logKey(DataDir dir, Settings settings, List<Path> created) throws IOException, BootstrapException {
        if (Files.exists(dir.logKey())) {
            SignerKey key = SignerKey.parse(Files.readString(dir.logKey(), StandardCharsets.UTF_8).strip());
            if (!key.name().equals(settings.origin())) {
                throw new BootstrapException(dir.logKey() + " is named " + key.name() + ", want the origin "
                        + settings.origin() + ": the key file belongs to another log");
            }
            return key;
        }
        SignerKey key = SignerKey.generate(settings.origin(), SignatureType.ED25519);
        PrivateFiles.writeSecret(dir.logKey(), (key.toPrivateKeyString() + "\n").getBytes(StandardCharsets.UTF_8));
        created.add(dir.logKey());
        if (!Files.exists(dir.logVerifierKey())) {
            PrivateFiles.writePublic(dir.logVerifierKey(), (key.verifierKey() + "\n").getBytes(StandardCharsets.UTF_8));
            created.add(dir.logVerifierKey());
        }
        return key;
    }

    private static CertificateAuthority authority(DataDir dir, Settings settings, InstantSource clock, List<Path> created)
            throws IOException, GeneralSecurityException, BootstrapException {
        if (Files.exists(dir.caCertificate())) {
            return new CertificateAuthority(Credentials.read(dir.caKey(), dir.caCertificate()), clock);
        }
        if (Files.exists(dir.serverCertificate()) || Files.exists(dir.operatorCertificate())) {
            throw new BootstrapException(dir.tls() + " has certificates but no ca.pem: restore it, or move "
                    + dir.tls() + " away to issue new ones");
        }
        CertificateAuthority ca = CertificateAuthority.create(settings.trustDomain(), clock);
        ca.credentials().write(dir.caKey(), dir.caCertificate());
        created.add(dir.caCertificate());
        created.add(dir.caKey());
        return ca;
    }

    private interface Issue {
        Credentials issue() throws GeneralSecurityException;
    }

    private static Credentials leaf(Path keyFile, Path chainFile, CertificateAuthority ca, List<Path> created, Issue issue)
            throws IOException, GeneralSecurityException {
        if (Files.exists(chainFile)) {
            return Credentials.read(keyFile, chainFile);
        }
        Credentials credentials = issue.issue();
        credentials.write(keyFile, chainFile);
        created.add(chainFile);
        created.add(keyFile);
        return credentials;
    }
}
