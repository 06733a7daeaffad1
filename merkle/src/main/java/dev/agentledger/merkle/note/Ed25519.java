package dev.agentledger.merkle.note;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * RFC 8032 Ed25519 with raw keys, through {@code java.security}: one key, signing or verifying,
 * on the default providers or on one the caller chose.
 *
 * <p>{@link Signature} objects are not thread-safe and are costly to set up, so each instance
 * keeps a small pool of initialized ones. A pool, not a {@code ThreadLocal}: on virtual threads
 * a per-thread cache would never be hit.
 */
final class Ed25519 {
    /** Length of a raw public key and of a private key seed (RFC 8032 section 5.1.5). */
    static final int KEY_SIZE = 32;
    /** Length of a signature (RFC 8032 section 5.1.6). */
    static final int SIGNATURE_SIZE = 64;

    private static final String ALGORITHM = "Ed25519";
    /** DER SubjectPublicKeyInfo for id-Ed25519 (RFC 8410 section 4) up to the 32 key bytes. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    /** DER PKCS #8 PrivateKeyInfo for id-Ed25519 (RFC 8410 section 7) up to the 32 seed bytes. */
    private static final byte[] PKCS8_PREFIX =
            HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final int POOL_SIZE = 16;

    private final Provider provider;
    private final Key key;
    private final BlockingQueue<Signature> idle = new ArrayBlockingQueue<>(POOL_SIZE);

    private Ed25519(Provider provider, Key key) {
        this.provider = provider;
        this.key = key;
    }

    /**
     * A signer for the key with this 32-byte seed; {@code provider} may be null for the defaults.
     *
     * @throws IllegalArgumentException if the seed is not 32 bytes or the provider refuses it
     */
    static Ed25519 signing(byte[] seed, Provider provider) {
        requireLength("private key seed", seed, KEY_SIZE);
        try {
            PrivateKey key = keyFactory(provider)
                    .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
            return new Ed25519(provider, key).warmedUp();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Ed25519 provider rejected the private key", e);
        }
    }

    /**
     * A verifier for this 32-byte public key; {@code provider} may be null for the defaults.
     *
     * @throws IllegalArgumentException if the key is not 32 bytes or the provider refuses it
     */
    static Ed25519 verifying(byte[] publicKey, Provider provider) {
        requireLength("public key", publicKey, KEY_SIZE);
        try {
            PublicKey key = keyFactory(provider)
                    .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey)));
            return new Ed25519(provider, key).warmedUp();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Ed25519 provider rejected the public key", e);
        }
    }

    /**
     * Signs {@code message}; requires an instance made by {@link #signing}.
     *
     * @throws IllegalStateException if the provider fails, which it did not do for this key at
     *     construction
     */
    byte[] sign(byte[] message) {
        try {
            Signature signature = take();
            signature.update(message);
            byte[] result = signature.sign();
            // sign() leaves the object initialized for this key; one that threw is dropped.
            idle.offer(signature);
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * Whether {@code signature} is a valid signature of {@code message}; requires an instance made
     * by {@link #verifying}. A malformed signature is simply not valid.
     *
     * @throws IllegalStateException if the provider fails, which it did not do for this key at
     *     construction
     */
    boolean verify(byte[] message, byte[] signature) {
        if (signature.length != SIGNATURE_SIZE) {
            return false;
        }
        Signature verifier;
        try {
            verifier = take();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed", e);
        }
        try {
            verifier.update(message);
            boolean valid = verifier.verify(signature);
            // verify() leaves the object initialized for this key; one that threw is dropped.
            idle.offer(verifier);
            return valid;
        } catch (SignatureException e) {
            // Providers differ: some return false for a badly encoded signature, some throw.
            return false;
        }
    }

    /**
     * Derives the 32-byte public key of a seed (RFC 8032 section 5.1.5). {@code java.security}
     * has no call for this, so it runs the default key pair generator on a random source that
     * yields exactly the seed, and checks that the generator used it.
     */
    static byte[] publicKeyOf(byte[] seed) {
        requireLength("private key seed", seed, KEY_SIZE);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new FixedSeed(seed));
            KeyPair pair = generator.generateKeyPair();
            byte[] used = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElse(new byte[0]);
            byte[] spki = pair.getPublic().getEncoded();
            if (!Arrays.equals(used, seed) || spki.length != X509_PREFIX.length + KEY_SIZE
                    || !Arrays.equals(spki, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
                throw new IllegalStateException("the default Ed25519 key pair generator ("
                        + generator.getProvider().getName() + ") cannot derive a key from a seed");
            }
            return Arrays.copyOfRange(spki, X509_PREFIX.length, spki.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this platform cannot derive Ed25519 public keys", e);
        }
    }

    /** A fresh random 32-byte seed. */
    static byte[] newSeed(SecureRandom random) {
        byte[] seed = new byte[KEY_SIZE];
        random.nextBytes(seed);
        return seed;
    }

    /** Initializes one signature object now, so a provider that refuses the key fails here. */
    private Ed25519 warmedUp() throws GeneralSecurityException {
        idle.offer(take());
        return this;
    }

    private Signature take() throws GeneralSecurityException {
        Signature signature = idle.poll();
        if (signature != null) {
            return signature;
        }
        signature = provider == null
                ? Signature.getInstance(ALGORITHM)
                : Signature.getInstance(ALGORITHM, provider);
        if (key instanceof PrivateKey privateKey) {
            signature.initSign(privateKey);
        } else {
            signature.initVerify((PublicKey) key);
        }
        return signature;
    }

    private static KeyFactory keyFactory(Provider provider) throws GeneralSecurityException {
        return provider == null
                ? KeyFactory.getInstance(ALGORITHM)
                : KeyFactory.getInstance(ALGORITHM, provider);
    }

    private static void requireLength(String what, byte[] bytes, int length) {
        Objects.requireNonNull(bytes, what);
        if (bytes.length != length) {
            throw new IllegalArgumentException(
                    "Ed25519 " + what + " is " + bytes.length + " bytes, want " + length);
        }
    }

    private static byte[] concat(byte[] prefix, byte[] rest) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + rest.length);
        System.arraycopy(rest, 0, out, prefix.length, rest.length);
        return out;
    }

    /** A random source that yields one fixed seed, for {@link #publicKeyOf}. */
    private static final class FixedSeed extends SecureRandom {
        private static final long serialVersionUID = 1L;

        FixedSeed(byte[] seed) {
            super(new Spi(seed), null);
        }

        private static final class Spi extends SecureRandomSpi {
            private static final long serialVersionUID = 1L;
            private final byte[] seed;

            Spi(byte[] seed) {
                this.seed = seed.clone();
            }

            @Override
            protected void engineSetSeed(byte[] ignored) {}

            @Override
            protected void engineNextBytes(byte[] bytes) {
                if (bytes.length != seed.length) {
                    throw new IllegalStateException("asked for " + bytes.length + " random bytes, want "
                            + seed.length);
                }
                System.arraycopy(seed, 0, bytes, 0, seed.length);
            }

            @Override
            protected byte[] engineGenerateSeed(int length) {
                throw new UnsupportedOperationException("a fixed seed generates no seeds");
            }
        }
    }
}
