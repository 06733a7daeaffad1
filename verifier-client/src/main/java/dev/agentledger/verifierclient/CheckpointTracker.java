package dev.agentledger.verifierclient;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.verifierclient.internal.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Holds the latest verified checkpoint of one log and moves it forward only through a verified
 * RFC 9162 consistency proof. Thread-safe; optionally persisted to a file (replaced atomically and
 * fsync'd before {@link #update} returns).
 *
 * <p>Security guarantees: every note passes {@link LogVerifier#open}; a newer checkpoint replaces
 * the latest only if a consistency proof from the latest to it verifies; an older one is checked
 * the other way round (it must be a prefix of the latest) and changes nothing; one of equal size
 * must have the same root. Anything else throws {@link ForkException} with both signed notes and
 * the failed proof, and changes nothing: there is never a silent update.
 *
 * <p><b>Witness lag rule.</b> Witnesses cosign about once a second, entries are logged in
 * milliseconds, so the newest checkpoint usually has only the log's signature. A checkpoint with
 * at least K witness cosignatures is <em>confirmed</em>. One with fewer is <em>provisional</em>:
 * it is accepted (after the same consistency checks) only while no provisional acceptance is older
 * than {@link WitnessLagPolicy#confirmWithin()}. The clock starts when the tracker first accepts a
 * checkpoint larger than the newest confirmed one, and stops when a confirmed checkpoint at least
 * that large is accepted: that confirmation is itself proven consistent with the provisional
 * checkpoints, so a log that showed this verifier a history the witnesses never saw is caught as a
 * {@link ForkException}. Past the deadline, {@link #checkWitnessLag()} raises a {@link
 * WitnessLagException} alarm and {@link #update} refuses provisional checkpoints with it (confirmed
 * ones are still accepted and clear the alarm). A confirmation that covers only part of the
 * provisional range keeps the original start time (the stricter choice). With a deadline of zero
 * every checkpoint must be confirmed; with K = 0 every checkpoint is confirmed.
 */
public final class CheckpointTracker {
    private static final String MAGIC = "agentledger checkpoint tracker v1";

    private final LogVerifier verifier;
    private final ProofSource proofs;
    private final WitnessLagPolicy policy;
    private final InstantSource clock;
    private final Path file;

    private VerifiedCheckpoint latest;
    private VerifiedCheckpoint confirmed;
    private Instant unconfirmedSince;

    private CheckpointTracker(LogVerifier verifier, ProofSource proofs, WitnessLagPolicy policy, InstantSource clock,
            Path file) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.proofs = Objects.requireNonNull(proofs, "proofs");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.file = file;
    }

    /** A tracker that starts empty and keeps its state in memory only. */
    public static CheckpointTracker inMemory(LogVerifier verifier, ProofSource proofs, WitnessLagPolicy policy,
            InstantSource clock) {
        return new CheckpointTracker(verifier, proofs, policy, clock, null);
    }

    /**
     * A tracker persisted in {@code file}: loads and re-verifies the state there if the file
     * exists, else starts empty.
     *
     * @throws IOException if the file cannot be read
     * @throws VerificationException if the file is not a state this class wrote or its notes no
     *     longer verify under {@code verifier}
     */
    public static CheckpointTracker persistent(Path file, LogVerifier verifier, ProofSource proofs,
            WitnessLagPolicy policy, InstantSource clock) throws IOException, VerificationException {
        CheckpointTracker tracker = new CheckpointTracker(verifier, proofs, policy, clock, Objects.requireNonNull(file));
        if (Files.exists(file)) {
            tracker.load(Files.readAllBytes(file));
        }
        return tracker;
    }

    /** The latest checkpoint accepted, confirmed or provisional; empty before the first. */
    public synchronized Optional<VerifiedCheckpoint> latest() {
        return Optional.ofNullable(latest);
    }

    /** The latest checkpoint cosigned by at least K witnesses; empty before the first. */
    public synchronized Optional<VerifiedCheckpoint> latestConfirmed() {
        return Optional.ofNullable(confirmed);
    }

    /**
     * Verifies {@code note} and, if it is consistent with the latest checkpoint, accepts it under
     * the witness lag rule. The first checkpoint is trusted on its signatures alone (trust on first
     * use). Returns the verified checkpoint; {@link #latest()} moves only if it is newer.
     *
     * @throws ForkException if the note and the latest checkpoint are not one history
     * @throws WitnessLagException if the note is provisional and the lag deadline has passed
     * @throws InsufficientCosignaturesException if the note is provisional and the deadline is zero
     * @throws VerificationException as {@link LogVerifier#open} does, or if the proof source
     *     answers with something that is not a proof
     * @throws IOException if the proof source fails or the state cannot be persisted; nothing changed
     */
    public synchronized VerifiedCheckpoint update(byte[] note) throws VerificationException, IOException {
        VerifiedCheckpoint next = verifier.open(note);
        if (latest != null) {
            checkConsistent(latest, next);
        }
        Instant now = clock.instant();
        if (!next.isConfirmed()) {
            if (policy.confirmWithin().isZero()) {
                verifier.requireConfirmed(next);
            }
            requireWithinDeadline(now);
        }
        VerifiedCheckpoint newLatest = latest;
        if (latest == null || next.size() > latest.size() || (next.size() == latest.size() && next.isConfirmed())) {
            newLatest = next;
        }
        VerifiedCheckpoint newConfirmed = confirmed;
        if (next.isConfirmed() && (confirmed == null || next.size() >= confirmed.size())) {
            newConfirmed = next;
        }
        Instant newSince = null;
        if (newConfirmed == null || newLatest.size() > newConfirmed.size()) {
            newSince = unconfirmedSince != null ? unconfirmedSince : now;
        }
        if (file != null) {
            AtomicFile.write(file, encode(newLatest, newConfirmed, newSince));
        }
        latest = newLatest;
        confirmed = newConfirmed;
        unconfirmedSince = newSince;
        return next;
    }

    /** Verifies a note given as a string; see {@link #update(byte[])}. */
    public VerifiedCheckpoint update(String note) throws VerificationException, IOException {
        return update(note.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The lag alarm: throws if a provisional checkpoint has waited for confirmation longer than
     * the deadline. Call it periodically (e.g. from a monitor) as well as relying on {@link #update}.
     *
     * @throws WitnessLagException if the deadline has passed
     */
    public synchronized void checkWitnessLag() throws WitnessLagException {
        requireWithinDeadline(clock.instant());
    }

    private void requireWithinDeadline(Instant now) throws WitnessLagException {
        if (unconfirmedSince != null && Duration.between(unconfirmedSince, now).compareTo(policy.confirmWithin()) > 0) {
            throw new WitnessLagException(latest.size(), confirmed == null ? -1 : confirmed.size(),
                    unconfirmedSince, now, policy.confirmWithin());
        }
    }

    /** Checks that {@code held} and {@code next} are one history, in whichever order their sizes put them. */
    private void checkConsistent(VerifiedCheckpoint held, VerifiedCheckpoint next)
            throws ForkException, IOException, VerificationException {
        if (held.size() == next.size()) {
            if (!held.root().equals(next.root())) {
                throw new ForkException(held.note(), next.note(), null, "size " + held.size() + " has root "
                        + next.root() + ", want " + held.root(), null);
            }
            return;
        }
        VerifiedCheckpoint older = held.size() < next.size() ? held : next;
        VerifiedCheckpoint newer = older == held ? next : held;
        if (older.size() == 0) {
            // Every tree extends the empty one; only the empty root itself can be wrong.
            if (!older.root().equals(Rfc6962.EMPTY_ROOT)) {
                throw new ForkException(held.note(), next.note(), null, "size 0 has root " + older.root()
                        + ", want the empty root " + Rfc6962.EMPTY_ROOT, null);
            }
            return;
        }
        ConsistencyProof proof = proofs.consistency(older.size(), newer.size());
        if (proof.size1() != older.size() || proof.size2() != newer.size()) {
            throw new ForkException(held.note(), next.note(), proof, "proof source answered sizes "
                    + proof.size1() + " to " + proof.size2() + ", want " + older.size() + " to " + newer.size(), null);
        }
        try {
            proof.verify(older.root(), newer.root());
        } catch (VerificationException e) {
            throw new ForkException(held.note(), next.note(), proof, "consistency proof from size " + older.size()
                    + " to " + newer.size() + " does not verify: " + e.getMessage(), e);
        }
    }

    /** The state file: a magic line, the unconfirmed-since time, then both notes, length-prefixed. */
    private static byte[] encode(VerifiedCheckpoint latest, VerifiedCheckpoint confirmed, Instant since) {
        StringBuilder out = new StringBuilder(MAGIC).append('\n')
                .append("unconfirmed-since ").append(since == null ? "none" : since.toString()).append('\n');
        appendNote(out, "latest", latest);
        appendNote(out, "confirmed", confirmed);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendNote(StringBuilder out, String label, VerifiedCheckpoint checkpoint) {
        if (checkpoint == null) {
            out.append(label).append(" none\n");
            return;
        }
        byte[] note = checkpoint.note().getBytes(StandardCharsets.UTF_8);
        out.append(label).append(' ').append(note.length).append('\n').append(checkpoint.note());
    }

    private void load(byte[] bytes) throws VerificationException {
        StateReader in = new StateReader(new String(bytes, StandardCharsets.UTF_8));
        if (!in.line().equals(MAGIC)) {
            throw new VerificationException("tracker state " + file + " does not start with \"" + MAGIC + "\"");
        }
        String since = in.field("unconfirmed-since");
        String latestNote = in.note("latest");
        String confirmedNote = in.note("confirmed");
        if (!in.atEnd()) {
            throw new VerificationException("tracker state " + file + " has trailing data");
        }
        latest = latestNote == null ? null : verifier.open(latestNote);
        confirmed = confirmedNote == null ? null : verifier.open(confirmedNote);
        if (confirmed != null) {
            verifier.requireConfirmed(confirmed);
        }
        try {
            unconfirmedSince = since.equals("none") ? null : Instant.parse(since);
        } catch (java.time.format.DateTimeParseException e) {
            throw new VerificationException("tracker state " + file + " has a bad time \"" + since + "\"");
        }
    }

    /** Reads the state file's lines and length-prefixed notes. */
    private final class StateReader {
        private final String text;
        private int at;

        StateReader(String text) {
            this.text = text;
        }

        String line() throws VerificationException {
            int end = text.indexOf('\n', at);
            if (end < 0) {
                throw new VerificationException("tracker state " + file + " is truncated");
            }
            String line = text.substring(at, end);
            at = end + 1;
            return line;
        }

        String field(String name) throws VerificationException {
            String line = line();
            if (!line.startsWith(name + " ")) {
                throw new VerificationException("tracker state " + file + ": line \"" + line + "\", want " + name);
            }
            return line.substring(name.length() + 1);
        }

        String note(String name) throws VerificationException {
            String value = field(name);
            if (value.equals("none")) {
                return null;
            }
            int length;
            try {
                length = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new VerificationException("tracker state " + file + ": bad length \"" + value + "\"");
            }
            // The length counts UTF-8 bytes; notes are compared as bytes.
            byte[] rest = text.substring(at).getBytes(StandardCharsets.UTF_8);
            if (length < 0 || length > rest.length) {
                throw new VerificationException("tracker state " + file + " is truncated in " + name);
            }
            String note = new String(rest, 0, length, StandardCharsets.UTF_8);
            at += note.length();
            return note;
        }

        boolean atEnd() {
            return at == text.length();
        }
    }
}
