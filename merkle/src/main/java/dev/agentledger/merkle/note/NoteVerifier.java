package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;

/**
 * Verifies note signatures by one key (c2sp.org/signed-note, section "Signatures"). {@link
 * Notes#open} calls {@link #verify} only for signature lines whose key name and key ID both equal
 * {@link #name()} and {@link #keyId()}.
 *
 * <p>Implementations must be thread-safe and should define {@code equals} by key, so that {@link
 * Note#verifiedSignature(NoteVerifier)} finds signatures verified by an equal verifier.
 */
public interface NoteVerifier {
    /** The key name this verifier answers to. */
    String name();

    /** The key ID this verifier answers to. */
    KeyId keyId();

    /**
     * Checks that {@code signature} (the bytes after the key ID) signs {@code text} (the note
     * text's UTF-8, ending in a newline). Returns normally only if it does. Must not modify its
     * arguments.
     *
     * @throws VerificationException if the signature is malformed or does not verify
     */
    void verify(byte[] text, byte[] signature) throws VerificationException;
}
