package dev.agentledger.merkle.note;

/**
 * Signs note texts with one key (c2sp.org/signed-note, section "Signatures"). {@link Notes#sign}
 * writes {@code — <name()> base64(keyId() || sign(text))} for each signer.
 *
 * <p>Implementations must be thread-safe; {@link Ed25519NoteSigner} and {@link
 * CosignatureV1Signer} are.
 */
public interface NoteSigner {
    /** The key name written in the signature line; must be a valid key name. */
    String name();

    /** The key ID written before the signature. */
    KeyId keyId();

    /**
     * Signs the note text (UTF-8, ending in a newline, without the blank line) and returns the
     * signature bytes that follow the key ID. Must not modify {@code text}.
     *
     * @throws IllegalArgumentException if this signer cannot sign such a text
     * @throws IllegalStateException if the underlying signing service fails
     */
    byte[] sign(byte[] text);
}
