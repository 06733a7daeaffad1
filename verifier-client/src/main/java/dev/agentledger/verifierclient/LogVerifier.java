package dev.agentledger.verifierclient;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Verifier;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.InvalidSignatureException;
import dev.agentledger.merkle.note.Note;
import dev.agentledger.merkle.note.NoteSignature;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.UnverifiedNoteException;
import dev.agentledger.merkle.note.VerifierKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies one log's checkpoints and inclusion proofs: the log's origin and Ed25519 note key
 * (c2sp.org/signed-note), N witness {@code cosignature/v1} keys (c2sp.org/tlog-cosignature) and a
 * threshold K, {@code 0 <= K <= N}. Immutable and thread-safe.
 *
 * <p>Security guarantees: {@link #open} returns a checkpoint only if the note is well formed, its
 * body is a checkpoint for the configured origin, and the log's key signed it. A witness
 * cosignature counts only if it verifies under a configured witness key; cosignatures that do not
 * verify, or are by unknown keys, are ignored, never trusted. {@link #verify} further requires at
 * least K counted cosignatures. {@link #verifyInclusion} accepts only a proof for exactly the
 * claimed index and the checkpoint's tree size that leads to the checkpoint's root.
 */
public final class LogVerifier {
    private final String origin;
    private final Ed25519NoteVerifier log;
    private final List<CosignatureV1Verifier> witnesses;
    private final int threshold;

    private LogVerifier(String origin, Ed25519NoteVerifier log, List<CosignatureV1Verifier> witnesses, int threshold) {
        this.origin = origin;
        this.log = log;
        this.witnesses = witnesses;
        this.threshold = threshold;
    }

    /**
     * A verifier for the log {@code origin} signed by {@code logKey}, requiring {@code threshold}
     * of {@code witnessKeys} to cosign for {@link #verify}.
     *
     * @throws IllegalArgumentException if the origin is empty, {@code logKey} is not an Ed25519
     *     note key, a witness key is not a {@code cosignature/v1} key or appears twice, or the
     *     threshold is not in {@code 0..witnessKeys.size()}
     */
    public static LogVerifier create(String origin, VerifierKey logKey, List<VerifierKey> witnessKeys, int threshold) {
        return create(origin, logKey, witnessKeys, threshold, null);
    }

    /**
     * As {@link #create(String, VerifierKey, List, int)}, with every Ed25519 signature checked on
     * {@code provider} (e.g. BouncyCastle, about 20 times faster than the JDK's here); null for the
     * default providers.
     *
     * @throws IllegalArgumentException as {@link #create(String, VerifierKey, List, int)} does, or
     *     if the provider refuses a key
     */
    public static LogVerifier create(String origin, VerifierKey logKey, List<VerifierKey> witnessKeys, int threshold,
            Provider provider) {
        if (origin.isEmpty() || origin.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("origin \"" + origin + "\" is not one non-empty line");
        }
        if (threshold < 0 || threshold > witnessKeys.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " not in 0.." + witnessKeys.size());
        }
        if (new HashSet<>(witnessKeys).size() != witnessKeys.size()) {
            throw new IllegalArgumentException("a witness key is listed twice");
        }
        List<CosignatureV1Verifier> witnesses = witnessKeys.stream()
                .map(k -> provider == null ? CosignatureV1Verifier.create(k) : CosignatureV1Verifier.create(k, provider)).toList();
        return new LogVerifier(origin, provider == null ? Ed25519NoteVerifier.create(logKey) : Ed25519NoteVerifier.create(logKey, provider),
                witnesses, threshold);
    }

    /** The configured origin. */
    public String origin() {
        return origin;
    }

    /** The threshold K of witness cosignatures that {@link #verify} requires. */
    public int threshold() {
        return threshold;
    }

    /**
     * Opens a checkpoint note: checks the log's signature and origin and counts the witness
     * cosignatures that verify, without requiring the threshold.
     *
     * @param note the signed note's bytes, UTF-8
     * @throws dev.agentledger.merkle.note.MalformedNoteException if the note is malformed
     * @throws LogSignatureException if no signature by the log key verifies
     * @throws dev.agentledger.merkle.note.MalformedCheckpointException if the text is no checkpoint
     * @throws WrongOriginException if the checkpoint is for another origin
     */
    public VerifiedCheckpoint open(byte[] note) throws VerificationException {
        Note opened;
        try {
            opened = Notes.open(note, List.of(log));
        } catch (UnverifiedNoteException | InvalidSignatureException e) {
            throw new LogSignatureException(log.verifierKey().toString(), e);
        }
        Checkpoint checkpoint = Checkpoint.parse(opened.text());
        if (!checkpoint.origin().equals(origin)) {
            throw new WrongOriginException(checkpoint.origin(), origin);
        }
        return new VerifiedCheckpoint(checkpoint, new String(note, StandardCharsets.UTF_8),
                cosignatures(opened), threshold);
    }

    /** Opens a note given as a string; see {@link #open(byte[])}. */
    public VerifiedCheckpoint open(String note) throws VerificationException {
        return open(note.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Opens a checkpoint note as {@link #open(byte[])} does and requires at least K witness
     * cosignatures.
     *
     * @throws InsufficientCosignaturesException if fewer than K configured witnesses cosigned
     * @throws VerificationException as {@link #open(byte[])} does
     */
    public VerifiedCheckpoint verify(byte[] note) throws VerificationException {
        VerifiedCheckpoint checkpoint = open(note);
        requireConfirmed(checkpoint);
        return checkpoint;
    }

    /** Verifies a note given as a string; see {@link #verify(byte[])}. */
    public VerifiedCheckpoint verify(String note) throws VerificationException {
        return verify(note.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Requires that at least K configured witnesses cosigned {@code checkpoint}.
     *
     * @throws InsufficientCosignaturesException if fewer did
     */
    public void requireConfirmed(VerifiedCheckpoint checkpoint) throws InsufficientCosignaturesException {
        if (!checkpoint.isConfirmed()) {
            throw new InsufficientCosignaturesException(List.copyOf(checkpoint.cosignatures().keySet()), threshold);
        }
    }

    /**
     * Verifies that {@code leafHash} is entry {@code index} of the tree {@code checkpoint} commits
     * to (RFC 9162 section 2.1.3.2).
     *
     * @throws NotIncludedException if the proof is for another index or tree size, has the wrong
     *     length, or leads to another root
     */
    public void verifyInclusion(Hash leafHash, long index, InclusionProof proof, VerifiedCheckpoint checkpoint)
            throws NotIncludedException {
        if (proof.index() != index) {
            throw new NotIncludedException(index, "proof is for index " + proof.index() + ", want " + index, null);
        }
        if (proof.size() != checkpoint.size()) {
            throw new NotIncludedException(index, "proof is for tree size " + proof.size()
                    + ", want the checkpoint's " + checkpoint.size(), null);
        }
        try {
            proof.verify(leafHash, checkpoint.root());
        } catch (VerificationException e) {
            throw new NotIncludedException(index, e.getMessage(), e);
        }
    }

    /**
     * Verifies a logged entry end to end: the checkpoint note with at least K cosignatures
     * ({@link #verify(byte[])}), then the entry's inclusion at {@code index} in it.
     *
     * @param entry the entry's bytes exactly as logged; its leaf hash is {@code SHA-256(0x00 || entry)}
     * @return the verified checkpoint the entry is in
     * @throws VerificationException as {@link #verify(byte[])} and {@link #verifyInclusion} do
     */
    public VerifiedCheckpoint verifyEntry(byte[] entry, long index, InclusionProof proof, byte[] note)
            throws VerificationException {
        VerifiedCheckpoint checkpoint = verify(note);
        verifyInclusion(Rfc6962.hashLeaf(entry), index, proof, checkpoint);
        return checkpoint;
    }

    /** The configured witnesses whose cosignature on the note's text verifies; bad ones are ignored. */
    private Map<VerifierKey, Instant> cosignatures(Note note) {
        byte[] text = note.text().getBytes(StandardCharsets.UTF_8);
        Map<VerifierKey, Instant> found = new LinkedHashMap<>();
        Set<VerifierKey> tried = new HashSet<>();
        for (NoteSignature signature : note.unverifiedSignatures()) {
            for (CosignatureV1Verifier witness : witnesses) {
                if (!signature.name().equals(witness.name()) || !signature.keyId().equals(witness.keyId())
                        || !tried.add(witness.verifierKey())) {
                    continue;
                }
                byte[] bytes = signature.signature();
                try {
                    witness.verify(text, bytes);
                } catch (VerificationException e) {
                    continue;
                }
                // The cosignature starts with its timestamp: 8 bytes, big-endian POSIX seconds.
                found.put(witness.verifierKey(), Instant.ofEpochSecond(ByteBuffer.wrap(bytes, 0, 8).getLong()));
            }
        }
        return found;
    }

    /** Names the configuration. */
    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        witnesses.forEach(w -> names.add(w.name()));
        return "LogVerifier[" + origin + ", log key " + log.verifierKey() + ", " + threshold + " of " + names + "]";
    }
}
