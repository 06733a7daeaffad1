package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Note;
import dev.agentledger.merkle.note.NoteSigner;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.note.Notes;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Signs checkpoints with the log's key (C2SP tlog-checkpoint in a C2SP signed note), and reads
 * back the log's own stored checkpoints, refusing any its key did not sign.
 */
final class CheckpointSigner {
    private final String origin;
    private final NoteSigner signer;
    private final NoteVerifier verifier;

    CheckpointSigner(String origin, NoteSigner signer, NoteVerifier verifier) {
        this.origin = origin;
        this.signer = signer;
        this.verifier = verifier;
    }

    /** Reads back checkpoints only, for an audit that signs nothing: {@link #sign} throws {@link IllegalStateException}. */
    static CheckpointSigner verifying(String origin, NoteVerifier verifier) {
        return new CheckpointSigner(origin, null, verifier);
    }

    String origin() {
        return origin;
    }

    /** Whether this signer holds the log's key ({@link #verifying} ones do not). */
    boolean canSign() {
        return signer != null;
    }

    /** Signs the checkpoint of the tree of {@code size} leaves with root {@code root}. */
    SignedCheckpoint sign(long size, Hash root) {
        if (signer == null) {
            throw new IllegalStateException("this reader of the log's checkpoints holds no signing key");
        }
        Checkpoint checkpoint = new Checkpoint(origin, size, root);
        return new SignedCheckpoint(checkpoint, Notes.sign(checkpoint.format(), signer));
    }

    /**
     * Opens a checkpoint note this log stored.
     *
     * @throws StorageException if the note does not verify with the log's key, or is for another
     *     origin: the store was altered or belongs to another log
     */
    SignedCheckpoint open(byte[] stored) {
        try {
            Note note = Notes.open(stored, List.of(verifier));
            Checkpoint checkpoint = Checkpoint.parse(note.text());
            if (!checkpoint.origin().equals(origin)) {
                throw new StorageException("stored checkpoint is for origin \"" + checkpoint.origin()
                        + "\", this log is \"" + origin + "\"");
            }
            return new SignedCheckpoint(checkpoint, new String(stored, StandardCharsets.UTF_8));
        } catch (VerificationException e) {
            throw new StorageException("stored checkpoint does not verify with the log key: " + e.getMessage(), e);
        }
    }
}
