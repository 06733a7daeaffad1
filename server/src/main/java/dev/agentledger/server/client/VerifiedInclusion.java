package dev.agentledger.server.client;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.note.Notes;
import java.util.List;

/**
 * An entry proven to be in a checkpoint signed by the log's key: what a client checks before it
 * believes an answer.
 *
 * @param leafHash SHA-256(0x00 || entry)
 * @param checkpoint the verified checkpoint
 * @param note the checkpoint's signed note text
 * @param proof the inclusion proof that verified against the checkpoint's root
 */
public record VerifiedInclusion(Hash leafHash, Checkpoint checkpoint, String note, InclusionProof proof) {
    /** The entry's index. */
    public long index() {
        return proof.index();
    }

    /**
     * Verifies the signed note {@code note} with {@code logKey}, then {@code proof} of
     * {@code entry}'s leaf against its root.
     *
     * @param expectedLeaf the leaf hash the server claims, checked against the entry; may be null
     * @throws VerificationException if the signature, the checkpoint, the leaf hash or the proof
     *     does not verify, or the proof is for another tree size
     */
    public static VerifiedInclusion verify(byte[] entry, Hash expectedLeaf, byte[] note, InclusionProof proof,
            NoteVerifier logKey) throws VerificationException {
        Hash leaf = Rfc6962.hashLeaf(entry);
        if (expectedLeaf != null && !expectedLeaf.equals(leaf)) {
            throw new VerificationException("leaf hash " + expectedLeaf + " does not match the entry's " + leaf);
        }
        return verifyLeaf(leaf, note, proof, logKey);
    }

    /**
     * Verifies the signed note {@code note} with {@code logKey}, then {@code proof} of leaf hash
     * {@code leaf} against its root.
     *
     * @throws VerificationException if the signature, the checkpoint or the proof does not verify,
     *     or the proof is for another tree size
     */
    public static VerifiedInclusion verifyLeaf(Hash leaf, byte[] note, InclusionProof proof, NoteVerifier logKey)
            throws VerificationException {
        Checkpoint checkpoint = openCheckpoint(note, logKey);
        if (proof.size() != checkpoint.size()) {
            throw new VerificationException("proof is for tree size " + proof.size() + ", checkpoint has " + checkpoint.size());
        }
        proof.verify(leaf, checkpoint.root());
        return new VerifiedInclusion(leaf, checkpoint, new String(note, java.nio.charset.StandardCharsets.UTF_8), proof);
    }

    /**
     * Verifies inclusion in a tree size the log signed no checkpoint for: {@code proof} of
     * {@code leaf} gives the root at its size, and {@code consistency} proves that root is a prefix
     * of the signed checkpoint {@code note} (RFC 9162 sections 2.1.3.2 and 2.1.4.2).
     *
     * @return the inclusion, with the later signed checkpoint it was proven through
     * @throws VerificationException if the signature, either proof or their sizes do not verify
     */
    public static VerifiedInclusion verifyThrough(Hash leaf, InclusionProof proof, ConsistencyProof consistency,
            byte[] note, NoteVerifier logKey) throws VerificationException {
        Checkpoint checkpoint = openCheckpoint(note, logKey);
        if (consistency.size1() != proof.size() || consistency.size2() != checkpoint.size()) {
            throw new VerificationException("consistency proof is from tree size " + consistency.size1() + " to "
                    + consistency.size2() + ", want " + proof.size() + " to the checkpoint's " + checkpoint.size());
        }
        consistency.verify(proof.rootFrom(leaf), checkpoint.root());
        return new VerifiedInclusion(leaf, checkpoint, new String(note, java.nio.charset.StandardCharsets.UTF_8), proof);
    }

    /** Opens a checkpoint note signed by {@code logKey} and parses its body. */
    public static Checkpoint openCheckpoint(byte[] note, NoteVerifier logKey) throws VerificationException {
        return Checkpoint.parse(Notes.open(note, List.of(logKey)).text());
    }
}
