package dev.agentledger.verifierclient.tokens;

import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * One token key made ready for ES256 (RFC 7518 section 3.4: ECDSA over P-256 with SHA-256, a
 * 64-byte R || S signature) with BouncyCastle's lightweight API. The key's point is decoded and
 * validated once and kept: BouncyCastle stores the point's precomputed wNAF multiples on the point
 * object, so every later verification with the same {@code Es256Key} skips that work (the JCA
 * path converts the key, and loses them, on every call). The generator is shared by all keys.
 *
 * <p>Thread-safe: the precomputation is published through BouncyCastle's synchronized table, and
 * each verification uses its own signer.
 */
final class Es256Key {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256);
    private static final int HALF = 32;

    private final ECPublicKeyParameters key;

    private Es256Key(ECPublicKeyParameters key) {
        this.key = key;
    }

    /**
     * The ES256 verifier of {@code key}.
     *
     * @throws TokenException (UNKNOWN_KEY) if {@code key} is not a point of P-256
     */
    static Es256Key of(ECPublicKey key) throws TokenException {
        if (!key.getParams().getOrder().equals(DOMAIN.getN()) || !key.getParams().getCurve().getA().equals(P256.getCurve().getA().toBigInteger())
                || !key.getParams().getCurve().getB().equals(P256.getCurve().getB().toBigInteger())) {
            throw new TokenException(Reason.UNKNOWN_KEY, "the key is not a P-256 key, as ES256 requires");
        }
        try {
            return new Es256Key(new ECPublicKeyParameters(
                    DOMAIN.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY()), DOMAIN));
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.UNKNOWN_KEY, "the key is not a valid P-256 point: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} (R || S, 64 bytes) is this key's ES256 signature of {@code signed}. */
    boolean verifies(byte[] signed, byte[] signature) {
        if (signature.length != 2 * HALF) {
            return false;
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(signed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ECDSASigner signer = new ECDSASigner();
        signer.init(false, key);
        // ECDSASigner refuses r or s outside [1, n-1] itself (SEC 1 section 4.1.4 step 1).
        return signer.verifySignature(digest, new BigInteger(1, Arrays.copyOfRange(signature, 0, HALF)),
                new BigInteger(1, Arrays.copyOfRange(signature, HALF, 2 * HALF)));
    }
}
