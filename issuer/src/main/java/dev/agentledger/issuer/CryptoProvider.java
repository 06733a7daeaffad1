package dev.agentledger.issuer;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.conscrypt.Conscrypt;

/**
 * The JCA providers the authority signs and verifies with when a key is in memory: Conscrypt
 * (BoringSSL through JNI) where its native library loads on this platform (Linux and macOS on
 * x86-64 and ARM64, Windows on x86-64), BouncyCastle everywhere else. Measured on this project's
 * 2-core machines (BENCHMARKS.md), Conscrypt signed P-256 in 24 µs against BouncyCastle's 83,
 * verified a P-256 signature under a new key (a CSR's) in 78 µs against 206, and signed Ed25519 in
 * 15 µs against 33. Both produce the same formats (DER ECDSA signatures; Ed25519 is deterministic,
 * RFC 8032 section 5.1.6, so its signatures are the same bytes from either). Keys held by a PKCS#11
 * token never come here: they stay with their token's provider.
 */
public final class CryptoProvider {
    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();
    private static final Provider FASTEST = conscryptOrBouncyCastle();

    private CryptoProvider() {}

    /** Conscrypt if its native library loads here, otherwise BouncyCastle (the same for the whole process). */
    public static Provider fastest() {
        return FASTEST;
    }

    /**
     * BouncyCastle: for what only it offers here (its lightweight ECDSA on a kept public point for
     * ES256 checks, PEM encryption), and as the fallback of {@link #fastest()}.
     */
    public static Provider bouncyCastle() {
        return BOUNCY_CASTLE;
    }

    private static Provider conscryptOrBouncyCastle() {
        try {
            if (Conscrypt.isAvailable()) {
                return Conscrypt.newProviderBuilder().setName("Conscrypt").provideTrustManager(false).build();
            }
        } catch (LinkageError | RuntimeException unavailable) {
            // no native library for this platform: BouncyCastle serves
        }
        return BOUNCY_CASTLE;
    }
}
