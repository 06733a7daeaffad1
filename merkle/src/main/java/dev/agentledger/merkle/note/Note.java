package dev.agentledger.merkle.note;

import java.util.List;
import java.util.Optional;

/**
 * A note opened by {@link Notes#open}: its text and its signatures, at least one of them verified
 * by a known key (c2sp.org/signed-note). Only {@link Notes#open} makes notes, so holding one means
 * the text was signed by at least one of the keys that call trusted. Immutable.
 */
public final class Note {
    private final String text;
    private final List<NoteSignature> signatures;
    private final List<Verified> verified;

    /** One verified signature and the verifier that accepted it. */
    record Verified(NoteSignature signature, NoteVerifier verifier) {}

    Note(String text, List<NoteSignature> signatures, List<Verified> verified) {
        this.text = text;
        this.signatures = List.copyOf(signatures);
        this.verified = List.copyOf(verified);
    }

    /** The note text, ending in a newline, without the blank line and signatures. */
    public String text() {
        return text;
    }

    /**
     * Every distinct signature line in the order of the note, verified or not. Repeated lines by
     * an unknown key, and repeated signatures by a known key after its first, are dropped, as in
     * the reference implementation.
     */
    public List<NoteSignature> signatures() {
        return signatures;
    }

    /** The signatures that known verifiers accepted, in the order of the note; never empty. */
    public List<NoteSignature> verifiedSignatures() {
        return verified.stream().map(Verified::signature).toList();
    }

    /** The signatures by keys the caller did not pass to {@link Notes#open}, in order. */
    public List<NoteSignature> unverifiedSignatures() {
        List<NoteSignature> verifiedOnes = verifiedSignatures();
        return signatures.stream().filter(s -> !verifiedOnes.contains(s)).toList();
    }

    /** The signature that {@code verifier} (or a verifier equal to it) verified, if any. */
    public Optional<NoteSignature> verifiedSignature(NoteVerifier verifier) {
        return verified.stream()
                .filter(v -> v.verifier().equals(verifier))
                .map(Verified::signature)
                .findFirst();
    }

    @Override
    public String toString() {
        return "Note[" + signatures.size() + " signatures, " + verified.size() + " verified, text="
                + text.length() + " chars]";
    }
}
