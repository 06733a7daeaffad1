package dev.agentledger.issuer;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The credential authority of one SPIFFE trust domain: issues X509-SVIDs from CSRs and JWT-SVIDs,
 * publishes the trust bundle and the access-token keys (which sign delegations and capability
 * tokens, see {@link Delegations} and {@link TokenExchange}), rotates its keys, and records each of
 * these in the log.
 *
 * <p>Security guarantees: a credential is returned only after the entry recording it is durable
 * in the log and included in a signed checkpoint, and it comes with that proof; when the append
 * fails the credential is discarded. A key signs nothing before its {@code KeyPublished} entry is
 * logged. Log entries hold certificates, public keys, token ids and hashes only: never a JWT or a
 * private key. The SPIFFE ID of a credential is always the caller's (from the registration),
 * never what a CSR asks for.
 *
 * <p>Thread-safe. Issuing blocks the calling thread until the log answers (use virtual threads
 * for many concurrent requests); rotations are serialized.
 */
public final class Issuer {
    /** The largest CSR accepted, in bytes. */
    public static final int MAX_CSR_BYTES = CertificationRequests.MAX_BYTES;
    /** Shortest X509-SVID lifetime. */
    public static final Duration MIN_X509_SVID_TTL = Duration.ofMinutes(5);
    /** Longest X509-SVID lifetime, also the default. */
    public static final Duration MAX_X509_SVID_TTL = Duration.ofHours(1);
    /** Default JWT-SVID lifetime. */
    public static final Duration DEFAULT_JWT_SVID_TTL = Duration.ofMinutes(5);
    /** Longest JWT-SVID lifetime. */
    public static final Duration MAX_JWT_SVID_TTL = Duration.ofHours(1);
    /** The most audiences of one JWT-SVID, and the longest one, in characters. */
    public static final int MAX_AUDIENCES = 16;
    private static final int MAX_AUDIENCE_LENGTH = 512;
    /** The GeneralName tag of a URI in {@link X509Certificate#getSubjectAlternativeNames()}. */
    private static final Integer URI_NAME = 6;

    private final Ledger ledger;
    private final IssuerConfig config;
    private final AtomicReference<Authorities> state;
    private final AtomicReference<PerKeys<TokenVerifier>> verifier = new AtomicReference<>();
    private final AtomicReference<PerKeys<TrustBundle>> bundle = new AtomicReference<>();
    private final Object rotation = new Object();
    private final KeyDirectory keys;

    private Issuer(Ledger ledger, IssuerConfig config, Authorities authorities, KeyDirectory keys) {
        this.ledger = ledger;
        this.config = config;
        this.state = new AtomicReference<>(authorities);
        this.keys = keys;
    }

    /**
     * A new issuer with new CA, JWT-SVID and access-token keys, each logged as {@code KeyPublished}
     * before it is used.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take a key's entry
     */
    public static Issuer create(Ledger ledger, IssuerConfig config) throws IssuanceException {
        return create(ledger, config, null);
    }

    private static Issuer create(Ledger ledger, IssuerConfig config, KeyDirectory store) throws IssuanceException {
        Instant now = now(config);
        Instant until = now.plus(config.keyLifetime());
        SigningKey ca = SvidCertificates.newCa(config.trustDomain(), now, until, config.random(), newKeyPair(store, config));
        SigningKey jwt = SigningKey.jwt(newKeyPair(store, config), now, until);
        SigningKey accessToken = SigningKey.accessToken(newKeyPair(store, config), now, until);
        Issuer issuer = new Issuer(ledger, config, new Authorities(ca, jwt, accessToken, List.of(), 1), store);
        issuer.publish(ca, Optional.empty());
        issuer.publish(jwt, Optional.empty());
        issuer.publish(accessToken, Optional.empty());
        return issuer;
    }

    /**
     * An issuer whose keys live in {@code directory}, encrypted with {@code passphrase}: the stored
     * keys when there are some, else new ones, logged as {@code KeyPublished} and then stored
     * (a key is stored only once its publication is logged). Rotations store the new key too.
     *
     * @param passphrase at least 8 characters; copied, the caller may wipe its array
     * @throws java.security.UnrecoverableKeyException if the passphrase is wrong or a key file damaged
     * @throws IOException if the directory cannot be read or written
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take a new key's entry
     */
    public static Issuer open(Ledger ledger, IssuerConfig config, Path directory, char[] passphrase)
            throws IOException, GeneralSecurityException, IssuanceException {
        return open(ledger, config, new KeyDirectory(directory, passphrase));
    }

    /**
     * An issuer whose private keys live in a PKCS#11 token ({@code token}, a loaded {@code PKCS11}
     * key store whose provider is installed): generated there, used there, never exported. Public
     * halves, validity and the published record live in {@code directory}, as with encrypted files.
     *
     * @throws java.security.UnrecoverableKeyException if the token lacks a key the directory names
     * @throws IOException if the directory cannot be read or written, or the token refuses to store a key
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take a new key's entry
     */
    public static Issuer open(Ledger ledger, IssuerConfig config, Path directory, java.security.KeyStore token)
            throws IOException, GeneralSecurityException, IssuanceException {
        return open(ledger, config, new KeyDirectory(directory, token));
    }

    private static Issuer open(Ledger ledger, IssuerConfig config, KeyDirectory store)
            throws IOException, GeneralSecurityException, IssuanceException {
        if (store.exists()) {
            SigningKey ca = store.loadCa();
            if (!ca.certificate().orElseThrow().getSubjectAlternativeNames()
                    .contains(List.of(URI_NAME, SpiffeId.ofTrustDomain(config.trustDomain()).value()))) {
                throw new IllegalArgumentException("the stored CA in " + store.directory() + " is not for trust domain " + config.trustDomain());
            }
            SigningKey jwt = store.loadJwt();
            if (store.hasAccessToken()) {
                return new Issuer(ledger, config, store.loadPublished(ca, jwt, store.loadAccessToken()), store);
            }
            // Keys stored before access-token keys existed: add one, logged before it is stored or used.
            Instant now = now(config);
            SigningKey accessToken = SigningKey.accessToken(store.newKeyPair(config.random()), now, now.plus(config.keyLifetime()));
            Issuer upgraded = new Issuer(ledger, config, store.loadPublished(ca, jwt, accessToken), store);
            upgraded.publish(accessToken, Optional.empty());
            store.saveAccessToken(accessToken);
            return upgraded;
        }
        Issuer created = create(ledger, config, store);
        Authorities current = created.state.get();
        store.saveCa(current.ca());
        store.saveJwt(current.jwt());
        store.saveAccessToken(current.accessToken());
        return new Issuer(ledger, config, current, store);
    }

    /** The trust domain this issuer serves. */
    public String trustDomain() {
        return config.trustDomain();
    }

    /** {@link #issueX509Svid(SpiffeId, byte[], Duration)} with the default lifetime (one hour). */
    public LoggedCredential<X509Certificate> issueX509Svid(SpiffeId id, byte[] csr) throws IssuanceException {
        return issueX509Svid(id, csr, MAX_X509_SVID_TTL);
    }

    /**
     * Issues an X509-SVID (SPIFFE X509-SVID standard) for {@code id} to the key in {@code csr},
     * logs it and returns it with its proof. Only the CSR's key is used; its subject, SANs and
     * extensions are ignored (a request for CA powers is refused). The certificate expires after
     * {@code ttl}, or with the CA if that comes first.
     *
     * @param id the registered ID: in this trust domain, with a non-empty path
     * @param csr a DER PKCS#10 request, at most {@link #MAX_CSR_BYTES}, ECDSA P-256 signed by its key
     * @param ttl in [{@link #MIN_X509_SVID_TTL}, {@link #MAX_X509_SVID_TTL}]
     * @throws IllegalArgumentException if {@code id} is of another trust domain or has no path
     * @throws IssuanceException for a refused CSR, a TTL out of range, an expired CA, or an append
     *     that failed; nothing is issued and (except for a failed append) nothing is logged
     */
    public LoggedCredential<X509Certificate> issueX509Svid(SpiffeId id, byte[] csr, Duration ttl) throws IssuanceException {
        return issueX509Svid(id, csr, ttl, "");
    }

    /** Issues as {@link #issueX509Svid(SpiffeId, byte[], Duration)}, recording the registered instance (or ""). */
    LoggedCredential<X509Certificate> issueX509Svid(SpiffeId id, byte[] csr, Duration ttl, String agentInstance)
            throws IssuanceException {
        requireWorkload(id);
        Objects.requireNonNull(csr, "csr");
        requireTtl(ttl, MIN_X509_SVID_TTL, MAX_X509_SVID_TTL);
        SubjectPublicKeyInfo key = CertificationRequests.publicKeyInfo(csr);
        SigningKey ca = state.get().ca();
        Instant now = now(config);
        Instant notAfter = validUntil(ca, now, ttl);
        BigInteger serial = SvidCertificates.serial(config.random());
        X509Certificate certificate = SvidCertificates.newSvid(ca, id, key, serial, now, notAfter);
        Appended appended = append(Entries.x509SvidIssued(header(now), certificate, id.value(), ca.keyId(), agentInstance));
        return LoggedCredential.of(certificate, appended);
    }

    /** {@link #issueJwtSvid(SpiffeId, List, Duration)} with the default lifetime (five minutes). */
    public LoggedCredential<JwtSvid> issueJwtSvid(SpiffeId id, List<String> audience) throws IssuanceException {
        return issueJwtSvid(id, audience, DEFAULT_JWT_SVID_TTL);
    }

    /**
     * Issues a JWT-SVID (SPIFFE JWT-SVID standard, ES256) for {@code id} and {@code audience},
     * logs its id and SHA-256 (never the token) and returns it with its proof.
     *
     * @param id the registered ID: in this trust domain, with a non-empty path
     * @param audience 1 to {@link #MAX_AUDIENCES} distinct, non-blank values
     * @param ttl positive, at most {@link #MAX_JWT_SVID_TTL}
     * @throws IllegalArgumentException if {@code id} is of another trust domain or has no path
     * @throws IssuanceException for a bad audience or TTL, an expired key, or an append that failed
     */
    public LoggedCredential<JwtSvid> issueJwtSvid(SpiffeId id, List<String> audience, Duration ttl) throws IssuanceException {
        requireWorkload(id);
        requireAudience(audience);
        requireTtl(ttl, Duration.ofSeconds(1), MAX_JWT_SVID_TTL);
        SigningKey key = state.get().jwt();
        Instant now = now(config);
        JwtSvid svid = JwtSvids.sign(key, id, audience, now, validUntil(key, now, ttl), newTokenId());
        Appended appended = append(Entries.jwtSvidIssued(header(now), svid, key.keyId()));
        return LoggedCredential.of(svid, appended);
    }

    /** The current trust bundle: active keys and retired keys whose credentials may still be valid. */
    public TrustBundle trustBundle() {
        return perKeys(bundle, current -> TrustBundle.of(current.sequence(), config.refreshHint(), current.published()));
    }

    /**
     * The access-token keys as the JWK set verifiers fetch ({@link TokenKeys#json()}): the active key
     * and retired keys whose delegations or capability tokens may still be valid. Not part of the
     * SPIFFE trust bundle.
     */
    public TokenKeys accessTokenKeys() {
        return accessTokenKeys(state.updateAndGet(a -> a.prune(config.clock().instant())));
    }

    private static TokenKeys accessTokenKeys(Authorities authorities) {
        Map<String, ECPublicKey> keys = new LinkedHashMap<>();
        authorities.accessTokenKeys().forEach(k -> keys.put(k.keyId(), k.publicKey()));
        return TokenKeys.of(keys);
    }

    /**
     * A verifier of this issuer's delegation chains and capability tokens, with its current keys
     * and clock. The same verifier serves until a key is rotated in or pruned, so that the keys'
     * prepared forms (and their precomputed multiples) serve every token; it reads the clock at
     * each verification.
     */
    public TokenVerifier tokenVerifier() {
        return perKeys(verifier, current -> new TokenVerifier(accessTokenKeys(current), config.authorityId().value(),
                config.clock(), CryptoProvider.bouncyCastle()));
    }

    /**
     * What {@code build} makes of the current state of the keys (pruned now), kept in {@code cache}
     * and built again only when that state changed: a key rotated in or pruned.
     */
    private <T> T perKeys(AtomicReference<PerKeys<T>> cache, Function<Authorities, T> build) {
        Authorities current = state.updateAndGet(a -> a.prune(config.clock().instant()));
        PerKeys<T> known = cache.get();
        if (known != null && known.keys() == current) {
            return known.value();
        }
        T built = build.apply(current);
        cache.set(new PerKeys<>(current, built));
        return built;
    }

    /** A value and the state of the keys it was made from (compared by identity: a new state is a new object). */
    private record PerKeys<T>(Authorities keys, T value) {}

    /** The active CA certificate, the trust anchor of new X509-SVIDs. */
    public X509Certificate caCertificate() {
        return state.get().ca().certificate().orElseThrow();
    }

    /**
     * Replaces the CA key: a new CA is created and logged as {@code KeyPublished} (naming the old
     * key as previous) before it signs; the old CA stays in the bundle until every SVID it signed
     * has expired.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take the entry; the old key stays active
     * @throws UncheckedIOException if the issuer stores its keys and the new key could not be written
     */
    public void rotateCaKey() throws IssuanceException {
        Instant now = now(config);
        rotate(SvidCertificates.newCa(config.trustDomain(), now, now.plus(config.keyLifetime()), config.random(),
                newKeyPair(keys, config)),
                MAX_X509_SVID_TTL);
    }

    /**
     * Replaces the JWT-SVID key, as {@link #rotateCaKey()} does for the CA.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take the entry; the old key stays active
     */
    public void rotateJwtKey() throws IssuanceException {
        Instant now = now(config);
        rotate(SigningKey.jwt(newKeyPair(keys, config), now, now.plus(config.keyLifetime())),
                MAX_JWT_SVID_TTL);
    }

    /**
     * Replaces the access-token key, as {@link #rotateCaKey()} does for the CA; the old key stays
     * published until the longest delegation it may have signed has expired.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take the entry; the old key stays active
     */
    public void rotateAccessTokenKey() throws IssuanceException {
        Instant now = now(config);
        rotate(SigningKey.accessToken(newKeyPair(keys, config), now, now.plus(config.keyLifetime())),
                DelegationClaims.MAX_LIFETIME);
    }

    /** Which signing key: the CA, the JWT-SVID key or the access-token key. */
    public enum KeyRole {
        /** The X.509 CA key (rotated by {@link #rotateCaKey()}). */
        CA,
        /** The JWT-SVID key (rotated by {@link #rotateJwtKey()}). */
        JWT_SVID,
        /** The key of delegations and capability tokens (rotated by {@link #rotateAccessTokenKey()}). */
        ACCESS_TOKEN
    }

    /**
     * Rotates {@code role}'s key, as its own rotate method does.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take the entry; the old key stays active
     */
    public void rotate(KeyRole role) throws IssuanceException {
        switch (role) {
            case CA -> rotateCaKey();
            case JWT_SVID -> rotateJwtKey();
            case ACCESS_TOKEN -> rotateAccessTokenKey();
        }
    }

    /**
     * Rotates each active key that has less than a third of the configured key lifetime left to
     * sign, so a key is replaced long before it expires and the old one stays published while
     * what it signed is valid. Run it periodically; it does nothing when no key is due.
     *
     * @return the keys rotated, in the order CA, JWT-SVID, access token
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log did not take a rotation; the keys
     *     rotated before it stay rotated, the others stay active
     */
    public List<KeyRole> rotateDue() throws IssuanceException {
        Instant due = now(config).plus(config.keyLifetime().dividedBy(3));
        List<KeyRole> rotated = new java.util.ArrayList<>();
        for (KeyRole role : KeyRole.values()) {
            SigningKey active = state.get().active(switch (role) {
                case CA -> SigningKey.Use.X509_SVID;
                case JWT_SVID -> SigningKey.Use.JWT_SVID;
                case ACCESS_TOKEN -> SigningKey.Use.ACCESS_TOKEN;
            });
            if (active.notAfter().isBefore(due)) {
                rotate(role);
                rotated.add(role);
            }
        }
        return rotated;
    }

    /** A new key pair where {@code store} keeps private keys (a token generates its own), or in memory. */
    private static java.security.KeyPair newKeyPair(KeyDirectory store, IssuerConfig config) {
        return store == null ? SigningKey.newKeyPair(config.random()) : store.newKeyPair(config.random());
    }

    /** The active keys, for storing them. */
    Authorities authorities() {
        return state.get();
    }

    private void rotate(SigningKey next, Duration longestCredential) throws IssuanceException {
        synchronized (rotation) {
            SigningKey previous = state.get().active(next.use());
            publish(next, Optional.of(previous));
            // Logged: from here on the new key may sign. The old one signed nothing that outlives this bound.
            Instant until = now(config).plus(longestCredential);
            state.updateAndGet(a -> a.rotate(next, until));
            if (keys != null) {
                try {
                    // The retired key first: a crash before the new key is stored then leaves the old one
                    // active and published twice (harmless), never an SVID it signed unverifiable.
                    keys.savePublished(state.get());
                    switch (next.use()) {
                        case X509_SVID -> keys.saveCa(next);
                        case JWT_SVID -> keys.saveJwt(next);
                        case ACCESS_TOKEN -> keys.saveAccessToken(next);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("the new key is active but could not be stored", e);
                }
            }
        }
    }

    private void publish(SigningKey key, Optional<SigningKey> previous) throws IssuanceException {
        append(Entries.keyPublished(header(now(config)), key, config.trustDomain(), previous));
    }

    /** Appends and waits until the entry is durable and in a signed checkpoint. */
    Appended append(LogEntry entry) throws IssuanceException {
        return Appends.await(ledger, entry);
    }

    /** How this issuer runs. */
    public IssuerConfig config() {
        return config;
    }

    /** The header of an entry the issuer appends at {@code now}. */
    dev.agentledger.proto.v1.Header header(Instant now) {
        return Entries.header(config.authorityId().value(), now);
    }

    private void requireWorkload(SpiffeId id) {
        if (!id.trustDomain().equals(config.trustDomain())) {
            throw new IllegalArgumentException("SPIFFE ID " + id + " is not in trust domain " + config.trustDomain());
        }
        if (id.equals(SpiffeId.ofTrustDomain(config.trustDomain()))) {
            throw new IllegalArgumentException("SPIFFE ID " + id + " has no path; an SVID names a workload");
        }
    }

    private static void requireTtl(Duration ttl, Duration min, Duration max) throws IssuanceException {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.compareTo(min) < 0 || ttl.compareTo(max) > 0) {
            throw new IssuanceException(Reason.INVALID_TTL, "lifetime " + ttl + " is not in [" + min + ", " + max + "]");
        }
    }

    private static void requireAudience(List<String> audience) throws IssuanceException {
        if (audience == null || audience.isEmpty() || audience.size() > MAX_AUDIENCES) {
            throw new IssuanceException(Reason.INVALID_AUDIENCE,
                    "audience has " + (audience == null ? 0 : audience.size()) + " values, want 1 to " + MAX_AUDIENCES);
        }
        if (new HashSet<>(audience).size() != audience.size()) {
            throw new IssuanceException(Reason.INVALID_AUDIENCE, "audience " + audience + " has duplicates");
        }
        for (String value : audience) {
            if (value == null || value.isBlank() || value.length() > MAX_AUDIENCE_LENGTH) {
                throw new IssuanceException(Reason.INVALID_AUDIENCE,
                        "audience value is null, blank or longer than " + MAX_AUDIENCE_LENGTH + " characters");
            }
        }
    }

    /** {@code now + ttl}, cut at the key's own expiry. */
    static Instant validUntil(SigningKey key, Instant now, Duration ttl) throws IssuanceException {
        if (now.isBefore(key.notBefore()) || !now.isBefore(key.notAfter())) {
            throw new IssuanceException(Reason.AUTHORITY_EXPIRED,
                    key + " may sign from " + key.notBefore() + " to " + key.notAfter() + ", not at " + now);
        }
        Instant wanted = now.plus(ttl);
        return wanted.isAfter(key.notAfter()) ? key.notAfter() : wanted;
    }

    /** A new random token id: 128 bits, base64url. */
    String newTokenId() {
        byte[] id = new byte[16];
        config.random().nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /** Now, in whole seconds: X.509 and JWT times have second precision, and the log must match them. */
    static Instant now(IssuerConfig config) {
        return config.clock().instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
