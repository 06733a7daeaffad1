package dev.agentledger.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPrivateKey;

/**
 * ECDSA P-256 with SHA-256 (RFC 5758 section 3.2, ecdsa-with-SHA256) by one private key, through
 * the fastest provider that can use it: {@link CryptoProvider#fastest()} for a key held in memory
 * (Conscrypt, or BouncyCastle where Conscrypt's native library does not load; both measured in
 * BENCHMARKS.md against the JDK's SunEC), the JCA's choice for a key a PKCS#11 token holds (its
 * handle does not export).
 *
 * <p>The key is converted to the provider's own form once, and initialized {@link Signature}
 * objects are reused: converting a JDK key on every signature cost more than the signature
 * itself. Each pooled {@code Signature} is given its own DRBG (NIST SP 800-90A, seeded by the JDK
 * from the system's entropy), from which BouncyCastle draws its nonces: the JVM-wide default
 * ({@code NativePRNG}) serializes every caller on one lock, and under load the signing threads spun
 * on it (Conscrypt draws them from BoringSSL's own generator). Thread-safe.
 */
final class P256Signer {
    private static final String ALGORITHM = "SHA256withECDSA";
    /** An ES256 signature: R and S, 32 bytes each (RFC 7518 section 3.4). */
    private static final int JOSE_SIGNATURE_BYTES = 64;
    /** BASE64URL without padding (RFC 7515 section 2). */
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey key;
    private final Provider provider;
    private final Queue<Signature> idle = new ConcurrentLinkedQueue<>();

    private P256Signer(PrivateKey key, Provider provider) {
        this.key = key;
        this.provider = provider;
    }

    /**
     * A signer for {@code key}: the fastest provider's copy of an in-memory key (the JDK's or
     * BouncyCastle's own EC key), or the key itself where the JCA finds its provider. A key of any
     * other provider, a PKCS#11 token's above all, stays with it, even if it would let its value be
     * read: a token key never gets copied into memory.
     *
     * @throws IllegalArgumentException if an in-memory key is not an EC key the provider reads
     */
    static P256Signer of(PrivateKey key) {
        boolean inMemory = key instanceof ECPrivateKey
                && (key.getClass().getPackageName().startsWith("sun.security.ec") || key instanceof BCECPrivateKey);
        byte[] encoded = inMemory && "PKCS#8".equals(key.getFormat()) ? key.getEncoded() : null;
        if (encoded == null) {
            return new P256Signer(key, null);
        }
        try {
            Provider provider = CryptoProvider.fastest();
            return new P256Signer(KeyFactory.getInstance("EC", provider).generatePrivate(new PKCS8EncodedKeySpec(encoded)), provider);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an EC private key " + CryptoProvider.fastest().getName() + " reads: "
                    + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(encoded, (byte) 0);
        }
    }

    /** The DER signature (RFC 3279 section 2.2.3, Ecdsa-Sig-Value) of {@code data}, as X.509 and PKCS#10 carry it. */
    byte[] signDer(byte[] data) {
        Signature signature = take();
        try {
            signature.update(data);
            byte[] der = signature.sign(); // resets the object for its next use
            idle.offer(signature);
            return der;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " signing failed", e);
        }
    }

    /** The ES256 signature (R || S, RFC 7518 section 3.4) of a JWS signing input. */
    byte[] signJose(byte[] signingInput) {
        try {
            return ECDSA.transcodeSignatureToConcat(signDer(signingInput), JOSE_SIGNATURE_BYTES);
        } catch (JOSEException e) {
            throw new IllegalStateException("a P-256 signature does not fit ES256", e);
        }
    }

    /**
     * The compact serialization (RFC 7515 section 7.1) of {@code claims} under {@code encodedHeader}
     * (the BASE64URL of an ES256 JWS header's JSON), signed ES256: built and signed directly, without
     * a JOSE object per token.
     */
    String signJws(String encodedHeader, Map<String, Object> claims) {
        String payload = BASE64URL.encodeToString(JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8));
        String signingInput = encodedHeader + '.' + payload;
        return signingInput + '.' + BASE64URL.encodeToString(signJose(signingInput.getBytes(StandardCharsets.US_ASCII)));
    }

    private Signature take() {
        Signature signature = idle.poll();
        if (signature != null) {
            return signature;
        }
        try {
            if (provider == null) {
                signature = Signature.getInstance(ALGORITHM);
                signature.initSign(key);
            } else {
                // Used by one thread at a time, as its Signature: an uncontended generator of its own.
                signature = Signature.getInstance(ALGORITHM, provider);
                signature.initSign(key, SecureRandom.getInstance("DRBG"));
            }
            return signature;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no " + ALGORITHM + " signer for " + key.getAlgorithm() + " key", e);
        }
    }
}
