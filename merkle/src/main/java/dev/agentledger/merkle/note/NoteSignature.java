package dev.agentledger.merkle.note;

import java.io.Serializable;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * One signature line of a note, {@code — <name> base64(key ID || signature)} (c2sp.org/signed-note,
 * section "Signatures"), verified or not. Immutable: the signature bytes are copied in and out.
 */
public final class NoteSignature implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The em dash (U+2014) and space that begin every signature line. */
    static final String LINE_PREFIX = "\u2014 ";

    private final String name;
    private final KeyId keyId;
    private final byte[] signature;

    private NoteSignature(String name, KeyId keyId, byte[] signature) {
        this.name = NoteSyntax.requireValidKeyName(name);
        this.keyId = Objects.requireNonNull(keyId, "keyId");
        if (signature.length == 0) {
            throw new IllegalArgumentException("signature is empty, want at least one byte");
        }
        this.signature = signature;
    }

    /**
     * A signature line's content; {@code signature} is what follows the key ID.
     *
     * @throws IllegalArgumentException if the name is invalid or the signature empty
     */
    public static NoteSignature of(String name, KeyId keyId, byte[] signature) {
        return new NoteSignature(name, keyId, signature.clone());
    }

    /** Takes ownership of {@code signature}; for this package's parser and signer. */
    static NoteSignature adopt(String name, KeyId keyId, byte[] signature) {
        return new NoteSignature(name, keyId, signature);
    }

    /** The key name. */
    public String name() {
        return name;
    }

    /** The key ID. */
    public KeyId keyId() {
        return keyId;
    }

    /** A copy of the signature bytes after the key ID. */
    public byte[] signature() {
        return signature.clone();
    }

    /** The signature bytes themselves, for this package only. Never hand them out. */
    byte[] signatureBytes() {
        return signature;
    }

    /** Whether this signature claims to be by {@code verifier}: same name and same key ID. */
    boolean claims(NoteVerifier verifier) {
        return name.equals(verifier.name()) && keyId.equals(verifier.keyId());
    }

    /** The line as in a note, with its final newline. */
    public String line() {
        byte[] payload = new byte[KeyId.SIZE + signature.length];
        keyId.copyTo(payload, 0);
        System.arraycopy(signature, 0, payload, KeyId.SIZE, signature.length);
        return LINE_PREFIX + name + " " + NoteSyntax.encodeBase64(payload) + "\n";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature other
                && name.equals(other.name)
                && keyId.equals(other.keyId)
                && MessageDigest.isEqual(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, keyId, Arrays.hashCode(signature));
    }

    /** The line without its final newline. */
    @Override
    public String toString() {
        return line().stripTrailing();
    }
}
