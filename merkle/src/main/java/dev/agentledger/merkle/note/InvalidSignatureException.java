package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;

/**
 * A signature line named a known key (name and key ID both match a verifier) but did not verify,
 * so the whole note is rejected (c2sp.org/signed-note, section "Signatures").
 */
public final class InvalidSignatureException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final String keyName;
    private final KeyId keyId;

    /** The signature by {@code keyName}+{@code keyId} failed for {@code cause}'s reason. */
    public InvalidSignatureException(String keyName, KeyId keyId, VerificationException cause) {
        super("invalid signature by known key " + keyName + "+" + keyId + ": " + cause.getMessage(), cause);
        this.keyName = keyName;
        this.keyId = keyId;
    }

    /** The name of the key whose signature failed. */
    public String keyName() {
        return keyName;
    }

    /** The ID of the key whose signature failed. */
    public KeyId keyId() {
        return keyId;
    }
}
