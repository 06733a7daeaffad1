package dev.agentledger.verifierclient.witness;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.InvalidSignatureException;
import dev.agentledger.merkle.note.MalformedNoteException;
import dev.agentledger.merkle.note.Note;
import dev.agentledger.merkle.note.NoteSignature;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.UnverifiedNoteException;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.merkle.witness.MalformedWitnessMessageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A transparency log witness: {@code add-checkpoint} of c2sp.org/tlog-witness, transport-free.
 * Thread-safe.
 *
 * <p>Security guarantees: the witness cosigns a checkpoint only if it is signed by a configured key
 * of its origin, its old size equals the size last cosigned for that origin, and it is proven
 * consistent with the checkpoint last cosigned (the same root when the size is the same). The
 * check and the durable record of the new state happen under one per-origin lock, so two requests
 * can never both advance from the same state, and the state survives restarts through the {@link
 * WitnessStore}. Hence it never cosigns two inconsistent checkpoints of one log, nor a smaller tree
 * after a larger one.
 */
public final class Witness {
    private final CosignatureV1Signer signer;
    private final Map<String, List<Ed25519NoteVerifier>> logs;
    private final Map<String, Object> locks;
    private final WitnessStore store;

    private Witness(CosignatureV1Signer signer, Map<String, List<Ed25519NoteVerifier>> logs, WitnessStore store) {
        this.signer = signer;
        this.logs = logs;
        this.store = store;
        this.locks = new TreeMap<>();
        logs.keySet().forEach(origin -> locks.put(origin, new Object()));
    }

    /**
     * A witness cosigning with {@code signer} for the logs in {@code logs} (origin to the Ed25519
     * note keys trusted for it), keeping its state in {@code store}.
     *
     * @throws IllegalArgumentException if a log key is not an Ed25519 note key, or a log has no key
     */
    public static Witness create(CosignatureV1Signer signer, Map<String, List<VerifierKey>> logs, WitnessStore store) {
        Map<String, List<Ed25519NoteVerifier>> verifiers = new TreeMap<>();
        logs.forEach((origin, keys) -> {
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("log \"" + origin + "\" has no key");
            }
            verifiers.put(origin, keys.stream().map(Ed25519NoteVerifier::create).toList());
        });
        return new Witness(Objects.requireNonNull(signer), Map.copyOf(verifiers), Objects.requireNonNull(store));
    }

    /** The witness's public key, type {@code 0x04}, as clients configure it. */
    public VerifierKey verifierKey() {
        return signer.verifierKey();
    }

    /** Parses and handles a request body; see {@link #addCheckpoint(AddCheckpointRequest)}. */
    public String addCheckpoint(byte[] body) throws WitnessException, IOException {
        AddCheckpointRequest request;
        try {
            request = AddCheckpointRequest.parse(body);
        } catch (MalformedWitnessMessageException e) {
            throw new MalformedRequestException(e.getMessage(), e);
        }
        return addCheckpoint(request);
    }

    /**
     * Verifies the request, records the checkpoint as the latest for its origin and returns the
     * cosignature line ({@code — <name> <base64>\n}) (c2sp.org/tlog-witness, "add-checkpoint").
     * The checks, in the spec's order:
     *
     * @throws UnknownOriginException if the origin is not configured
     * @throws MalformedRequestException if the note or checkpoint is malformed, or the old size
     *     exceeds the checkpoint's size
     * @throws UnsignedCheckpointException if no signature by a configured key of the origin verifies
     * @throws SizeConflictException if the old size is not the latest cosigned size, or the size is
     *     the same and the root differs
     * @throws InconsistentCheckpointException if the proof does not verify, or is not empty for old size 0
     * @throws IOException if the state cannot be read or made durable; nothing was cosigned
     */
    public String addCheckpoint(AddCheckpointRequest request) throws WitnessException, IOException {
        String origin = firstLine(request.note());
        List<Ed25519NoteVerifier> keys = logs.get(origin);
        if (keys == null) {
            throw new UnknownOriginException(origin);
        }
        Note note;
        try {
            note = Notes.open(request.note(), keys);
        } catch (MalformedNoteException e) {
            throw new MalformedRequestException(e.getMessage(), e);
        } catch (UnverifiedNoteException | InvalidSignatureException e) {
            throw new UnsignedCheckpointException(origin, e);
        } catch (VerificationException e) {
            throw new MalformedRequestException(e.getMessage(), e);
        }
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(note.text());
        } catch (VerificationException e) {
            throw new MalformedRequestException(e.getMessage(), e);
        }
        if (request.oldSize() > checkpoint.size()) {
            throw new MalformedRequestException("old size " + request.oldSize() + " > checkpoint size " + checkpoint.size());
        }
        synchronized (locks.get(origin)) {
            Optional<TreeState> latest = store.latest(origin);
            checkAgainst(latest, request, checkpoint);
            if (latest.isEmpty() || latest.get().size() != checkpoint.size()) {
                store.put(origin, new TreeState(checkpoint.size(), checkpoint.root()));
            }
        }
        byte[] cosignature = signer.sign(note.text().getBytes(StandardCharsets.UTF_8));
        return NoteSignature.of(signer.name(), signer.keyId(), cosignature).line();
    }

    /** The size, root and proof checks against the latest recorded state. */
    private static void checkAgainst(Optional<TreeState> latest, AddCheckpointRequest request, Checkpoint checkpoint)
            throws SizeConflictException, InconsistentCheckpointException {
        long latestSize = latest.map(TreeState::size).orElse(0L);
        if (request.oldSize() != latestSize) {
            throw new SizeConflictException(latestSize, "old size " + request.oldSize() + " is not the latest cosigned size");
        }
        if (latest.isPresent() && latestSize == checkpoint.size()) {
            if (!latest.get().root().equals(checkpoint.root())) {
                throw new SizeConflictException(latestSize, "size " + latestSize + " has root " + checkpoint.root()
                        + ", the cosigned checkpoint has " + latest.get().root());
            }
            if (!request.proof().isEmpty()) {
                throw new InconsistentCheckpointException(request.note(), "proof of " + request.proof().size()
                        + " hashes between equal sizes, want none", null);
            }
            return;
        }
        if (request.oldSize() == 0) {
            if (!request.proof().isEmpty()) {
                throw new InconsistentCheckpointException(request.note(), "proof of " + request.proof().size()
                        + " hashes from old size 0, want none", null);
            }
            if (checkpoint.size() == 0 && !checkpoint.root().equals(Rfc6962.EMPTY_ROOT)) {
                throw new InconsistentCheckpointException(request.note(), "size 0 with root " + checkpoint.root()
                        + ", want the empty root", null);
            }
            return;
        }
        ConsistencyProof proof = new ConsistencyProof(request.oldSize(), checkpoint.size(), request.proof());
        try {
            proof.verify(latest.orElseThrow().root(), checkpoint.root());
        } catch (VerificationException e) {
            throw new InconsistentCheckpointException(request.note(), e.getMessage(), e);
        }
    }

    private static String firstLine(String note) {
        int end = note.indexOf('\n');
        return end < 0 ? note : note.substring(0, end);
    }
}
