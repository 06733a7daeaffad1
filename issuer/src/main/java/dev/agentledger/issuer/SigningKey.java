package dev.agentledger.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.PrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ECDSA P-256 signing key of the issuer with its key id (the RFC 7638 JWK thumbprint of the
 * public key, base64url) and the window in which it may sign. The X.509 CA key also carries its
 * self-signed certificate. Immutable.
 */
final class SigningKey {
    /** What the key signs. */
    enum Use {
        /** The CA key (SPIFFE bundle use {@code x509-svid}). */
        X509_SVID,
        /** The JWT-SVID key (SPIFFE bundle use {@code jwt-svid}). */
        JWT_SVID,
        /** The key of delegation and capability tokens (JWK {@code use} {@code sig}); never in the SPIFFE bundle. */
        ACCESS_TOKEN
    }

    private final Use use;
    private final String keyId;
    private final ECPublicKey publicKey;
    private final PrivateKey privateKey;
    private final Instant notBefore;
    private final Instant notAfter;
    private final X509Certificate certificate;
    private final P256Signer signer;
    /** BASE64URL(JWS header JSON) by {@code typ}: the few token types this key signs. */
    private final Map<String, String> encodedHeaders = new ConcurrentHashMap<>();

    private SigningKey(Use use, KeyPair pair, Instant notBefore, Instant notAfter, X509Certificate certificate) {
        this.use = use;
        // The private half may be a token's handle (PKCS#11), an EC key that is not an ECPrivateKey.
        if (!(pair.getPublic() instanceof ECPublicKey pub)
                || (pair.getPrivate() != null && !"EC".equals(pair.getPrivate().getAlgorithm()))) {
            throw new IllegalArgumentException("signing keys are EC keys, got " + pair.getPublic().getAlgorithm());
        }
        PrivateKey priv = pair.getPrivate();
        if (!notBefore.isBefore(notAfter)) {
            throw new IllegalArgumentException("key validity " + notBefore + " .. " + notAfter + " is empty");
        }
        this.publicKey = pub;
        this.privateKey = priv;
        this.signer = priv == null ? null : P256Signer.of(priv);
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        this.certificate = certificate;
        this.keyId = thumbprint(pub);
    }

    /** The CA key whose self-signed certificate is {@code certificate}; validity from the certificate. */
    static SigningKey ca(KeyPair pair, X509Certificate certificate) {
        if (!certificate.getPublicKey().equals(pair.getPublic())) {
            throw new IllegalArgumentException("the CA certificate is not for this key");
        }
        return new SigningKey(Use.X509_SVID, pair, certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant(), Objects.requireNonNull(certificate));
    }

    /** A JWT-SVID key that may sign from {@code notBefore} to {@code notAfter}. */
    static SigningKey jwt(KeyPair pair, Instant notBefore, Instant notAfter) {
        return new SigningKey(Use.JWT_SVID, pair, notBefore, notAfter, null);
    }

    /** An access-token key that may sign delegation and capability tokens from {@code notBefore} to {@code notAfter}. */
    static SigningKey accessToken(KeyPair pair, Instant notBefore, Instant notAfter) {
        return new SigningKey(Use.ACCESS_TOKEN, pair, notBefore, notAfter, null);
    }

    /**
     * A key that signs no more and is only published (its credentials may still be valid): the
     * public half, validity and certificate of a retired key, read back from storage.
     */
    static SigningKey published(Use use, ECPublicKey publicKey, Instant notBefore, Instant notAfter, X509Certificate certificate) {
        if (use == Use.X509_SVID && (certificate == null || !certificate.getPublicKey().equals(publicKey))) {
            throw new IllegalArgumentException("a published CA key comes with its certificate");
        }
        return new SigningKey(use, new KeyPair(publicKey, null), notBefore, notAfter, certificate);
    }

    /** This key without its private half: what stays published once it is retired. */
    SigningKey retired() {
        return privateKey == null ? this : new SigningKey(use, new KeyPair(publicKey, null), notBefore, notAfter, certificate);
    }

    /** True if the private half is here (an active key); false for a retired, published-only one. */
    boolean canSign() {
        return privateKey != null;
    }

    /** A fresh P-256 key pair. */
    static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no EC P-256 key generator", e);
        }
    }

    Use use() {
        return use;
    }

    /** The RFC 7638 thumbprint of the public JWK, base64url: the {@code kid}. */
    String keyId() {
        return keyId;
    }

    ECPublicKey publicKey() {
        return publicKey;
    }

    /**
     * The private half.
     *
     * @throws IllegalStateException for a retired key, which signs no more
     */
    PrivateKey privateKey() {
        if (privateKey == null) {
            throw new IllegalStateException(this + " is retired: it signs no more");
        }
        return privateKey;
    }

    /**
     * The signer of the private half (the fastest provider that can use it).
     *
     * @throws IllegalStateException for a retired key, which signs no more
     */
    P256Signer signer() {
        if (signer == null) {
            throw new IllegalStateException(this + " is retired: it signs no more");
        }
        return signer;
    }

    KeyPair keyPair() {
        return new KeyPair(publicKey, privateKey());
    }

    Instant notBefore() {
        return notBefore;
    }

    Instant notAfter() {
        return notAfter;
    }

    /** The CA certificate; empty for the other keys. */
    Optional<X509Certificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /**
     * The compact JWS (RFC 7515 section 7.1) of {@code claims}, signed ES256 by this key under a
     * header of exactly {@code alg}, {@code kid} and {@code typ}; the header's encoding is made
     * once per {@code typ}.
     *
     * @throws IllegalStateException for a retired key, which signs no more
     */
    String signJws(JOSEObjectType typ, Map<String, Object> claims) {
        P256Signer active = signer();
        String header = encodedHeaders.computeIfAbsent(typ.getType(), t -> new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(keyId)
                .type(typ)
                .build()
                .toBase64URL()
                .toString());
        return active.signJws(header, claims);
    }

    /** The public JWK with its {@code kid}, without any private member. */
    ECKey publicJwk() {
        return new ECKey.Builder(Curve.P_256, publicKey).keyID(keyId).build();
    }

    @Override
    public String toString() {
        return use + " key " + keyId;
    }

    private static String thumbprint(ECPublicKey key) {
        try {
            return new ECKey.Builder(Curve.P_256, key).build().computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
