package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A well-formed note carried no signature by a known key, so its text must not be trusted
 * (c2sp.org/signed-note, section "Signatures": "If no signature from a known key verifies
 * successfully, clients MUST reject the note").
 */
public final class UnverifiedNoteException extends VerificationException {
    private static final long serialVersionUID = 1L;

    private final ArrayList<NoteSignature> unknownSignatures;

    /** The note's signatures, all by keys the caller does not know. */
    public UnverifiedNoteException(List<NoteSignature> unknownSignatures) {
        super("note has no signature by a known key; signed by "
                + (unknownSignatures.isEmpty() ? "nobody" : unknownSignatures.stream()
                        .map(s -> s.name() + "+" + s.keyId())
                        .collect(Collectors.joining(", "))));
        this.unknownSignatures = new ArrayList<>(unknownSignatures);
    }

    /** The signatures by unknown keys, for diagnosis. */
    public List<NoteSignature> unknownSignatures() {
        return Collections.unmodifiableList(unknownSignatures);
    }
}
