package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.NodeVisitor;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.RootMismatchException;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.Tiling;
import dev.agentledger.verifierclient.ForkException;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows one log through its public C2SP tlog-tiles API only ({@code checkpoint}, {@code tile/...},
 * {@code tile/entries/...}) and builds its {@link Inventory}.
 *
 * <p>For each new checkpoint it checks, in this order: the note (c2sp.org/signed-note) is signed by
 * the log's key for the configured origin and cosigned by at least K configured witnesses
 * (c2sp.org/tlog-cosignature), else {@link AlertKind#CHECKPOINT_INVALID}; it is consistent with the
 * last verified checkpoint, by an RFC 9162 consistency proof the monitor computes from the log's
 * tiles and verifies against both signed roots (equal sizes: equal roots), else {@link
 * AlertKind#FORK} with both notes as evidence; and the entry bundles reproduce its root: every new
 * entry is hashed (RFC 9162 section 2.1.1) and folded into the {@link CompactRange} kept from the
 * verified checkpoint, and the result must equal the signed root, else {@link
 * AlertKind#ROOT_MISMATCH}. Every entry is decoded ({@code LogEntries.parse}), checked by the {@link
 * AlertRules} and added to the inventory.
 *
 * <p>State: the last verified checkpoint and its compact range, the catch-up position and the
 * inventory's length at each, saved in the state directory after every verified checkpoint and
 * every {@link MonitorSettings#saveEvery()} entries of a long catch-up, so a restart continues
 * where it stopped. Records past the last save are cut off on restart; records of a catch-up whose
 * root does not verify are cut off at once. Memory holds one bundle, the compact range and the
 * rules' sets, whatever the log's size.
 *
 * <p>Not thread-safe for {@link #follow}/{@link #poll} (one caller at a time, serialised here);
 * {@link #latest()} may be read from any thread.
 */
public final class Monitor implements AutoCloseable {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private final MonitorSettings settings;
    private final LogTiles tiles;
    private final Inventory inventory;
    private final EntryRecorder recorder;
    private MonitorState state;
    private volatile VerifiedCheckpoint latest;

    private Monitor(MonitorSettings settings, Inventory inventory, MonitorState state, VerifiedCheckpoint latest) {
        this.settings = settings;
        this.tiles = new LogTiles(settings.log());
        this.inventory = inventory;
        this.recorder = new EntryRecorder(inventory, settings.rules(), settings.alerts());
        this.state = state;
        this.latest = latest;
    }

    /**
     * Opens the monitor on its state directory: resumes from the saved state, or starts from the
     * empty log.
     *
     * @throws IOException if the state directory cannot be created or read, or is damaged
     * @throws VerificationException if the saved checkpoint no longer verifies under the
     *     configured log key and origin (the state belongs to another log)
     */
    public static Monitor open(MonitorSettings settings) throws IOException, VerificationException {
        Files.createDirectories(settings.stateDir());
        MonitorState state = MonitorState.load(settings.stateDir());
        VerifiedCheckpoint latest = null;
        if (state.verifiedNote() != null) {
            latest = settings.verifier().open(state.verifiedNote());
            if (latest.size() != state.verified().size() || !latest.root().equals(state.verified().root())) {
                throw new VerificationException("monitor state in " + settings.stateDir() + " has a range of size "
                        + state.verified().size() + " that does not give its checkpoint's root");
            }
        }
        Inventory inventory = Inventory.open(settings.stateDir().resolve("inventory.jsonl"), state.positionInventory());
        return new Monitor(settings, inventory, state, latest);
    }

    /** The last verified checkpoint; empty before the first. */
    public Optional<VerifiedCheckpoint> latest() {
        return Optional.ofNullable(latest);
    }

    /** How many entries have been read so far, verified or not yet (the catch-up position). */
    public synchronized long position() {
        return state.position().size();
    }

    /** The inventory built so far. */
    public Inventory inventory() {
        return inventory;
    }

    /** The configured verifier (log key, origin, witnesses, K). */
    public LogVerifier verifier() {
        return settings.verifier();
    }

    /** The state directory. */
    public Path stateDir() {
        return settings.stateDir();
    }

    /**
     * Fetches the log's current checkpoint and follows it; see {@link #follow}.
     *
     * @throws IOException if the checkpoint or a tile cannot be fetched; nothing verified is lost
     * @throws VerificationException as {@link #follow} does
     */
    public FollowResult poll() throws IOException, VerificationException {
        return follow(settings.log().fetch("checkpoint"));
    }

    /**
     * Verifies {@code note} and, if it is newer than the last verified checkpoint, reads every new
     * entry and makes it the last verified one. A failure raises its alert first, then throws.
     *
     * @throws VerificationException if the note does not verify or lacks K cosignatures; a
     *     {@link ForkException} if it is inconsistent with the last verified checkpoint; a {@link
     *     RootMismatchException} if the entries do not reproduce its root; or if an entry bundle is
     *     malformed
     * @throws IOException if a tile or bundle cannot be fetched, or the state cannot be saved
     */
    public synchronized FollowResult follow(byte[] note) throws IOException, VerificationException {
        VerifiedCheckpoint next = verify(note);
        if (latest != null) {
            checkConsistent(latest, next);
        } else if (next.size() == 0 && !next.root().equals(Rfc6962.EMPTY_ROOT)) {
            throw alertFork(null, next, null, "size 0 has root " + next.root() + ", want the empty root", null);
        }
        long verifiedSize = latest == null ? 0 : latest.size();
        if (latest != null && next.size() <= verifiedSize) {
            return new FollowResult(next, 0, latest);
        }
        long read = catchUp(next);
        latest = next;
        return new FollowResult(next, read, next);
    }

    /** Opens the note and requires K cosignatures; alerts and throws on failure. */
    private VerifiedCheckpoint verify(byte[] note) throws VerificationException {
        try {
            VerifiedCheckpoint checkpoint = settings.verifier().open(note);
            settings.verifier().requireConfirmed(checkpoint);
            return checkpoint;
        } catch (VerificationException e) {
            alert(new Alert(AlertKind.CHECKPOINT_INVALID, -1, e.getMessage(),
                    List.of(new String(note, java.nio.charset.StandardCharsets.UTF_8))));
            throw e;
        }
    }

    /**
     * Checks that {@code held} and {@code other}, both signed by the log, are one history: equal
     * roots at equal sizes, else a consistency proof computed from the log's tiles of the larger
     * tree and verified against both roots. Used for followed checkpoints and gossiped ones.
     *
     * @throws ForkException (after a {@link AlertKind#FORK} alert) if they are not
     * @throws IOException if the tiles of the larger tree cannot be fetched: nothing is decided
     */
    void checkConsistent(VerifiedCheckpoint held, VerifiedCheckpoint other) throws ForkException, IOException {
        ForkException fork = consistencyFailure(held, other);
        if (fork != null) {
            alert(new Alert(AlertKind.FORK, -1, fork.getMessage().lines().findFirst().orElse(""),
                    List.of(held.note(), other.note())));
            throw fork;
        }
    }

    /** The fork between two log-signed checkpoints, or null if they are one history. */
    ForkException consistencyFailure(VerifiedCheckpoint held, VerifiedCheckpoint other) throws IOException {
        if (held.size() == other.size()) {
            return held.root().equals(other.root()) ? null : new ForkException(held.note(), other.note(), null,
                    "size " + held.size() + " has root " + other.root() + ", want " + held.root(), null);
        }
        VerifiedCheckpoint older = held.size() < other.size() ? held : other;
        VerifiedCheckpoint newer = older == held ? other : held;
        if (older.size() == 0) {
            return older.root().equals(Rfc6962.EMPTY_ROOT) ? null : new ForkException(held.note(), other.note(), null,
                    "size 0 has root " + older.root() + ", want the empty root", null);
        }
        ConsistencyProof proof = tiles.consistency(older.size(), newer.size());
        try {
            proof.verify(older.root(), newer.root());
            return null;
        } catch (VerificationException e) {
            return new ForkException(held.note(), other.note(), proof, "consistency proof from size " + older.size()
                    + " to " + newer.size() + ", computed from the log's tiles, does not verify: " + e.getMessage(), e);
        }
    }

    private ForkException alertFork(VerifiedCheckpoint held, VerifiedCheckpoint next, ConsistencyProof proof,
            String reason, Throwable cause) {
        ForkException fork = new ForkException(held == null ? "" : held.note(), next.note(), proof, reason, cause);
        alert(new Alert(AlertKind.FORK, -1, reason, held == null ? List.of(next.note()) : List.of(held.note(), next.note())));
        return fork;
    }

    /**
     * Reads the entries from the position to {@code target}'s size, then compares the folded root
     * with the target's. Requires that the target is newer than the verified checkpoint and proven
     * consistent with it.
     */
    private long catchUp(VerifiedCheckpoint target) throws IOException, VerificationException {
        long size = target.size();
        if (state.position().size() > size) {
            rewind();
        }
        CompactRange range = state.position();
        long start = range.size();
        Instant began = settings.clock().instant();
        Instant reported = began;
        long sinceSave = 0;
        try {
            while (range.size() < size) {
                long tileIndex = range.size() / Tile.WIDTH;
                Tile tile = new Tile(0, tileIndex, Tiling.width(0, tileIndex, size));
                EntryBundle bundle = tiles.bundle(tile);
                int from = (int) (range.size() - tile.firstLeaf());
                List<Hash> leaves = new ArrayList<>(tile.width() - from);
                for (int i = from; i < tile.width(); i++) {
                    leaves.add(bundle.leafHash(i));
                }
                // the range covers exactly the bundles handed to the recorder, so a failure can keep both
                range = range.append(leaves, NodeVisitor.NONE);
                recorder.submit(tile, from, bundle);
                sinceSave += leaves.size();
                if (sinceSave >= settings.saveEvery() && range.size() < size) {
                    savePosition(range);
                    sinceSave = 0;
                }
                Instant now = settings.clock().instant();
                if (Duration.between(reported, now).compareTo(PROGRESS_EVERY) >= 0) {
                    reported = now;
                    settings.progress().progress(progress(start, range.size(), size, began, now));
                }
            }
            recorder.drain();
        } catch (IOException | VerificationException | RuntimeException e) {
            keepWhatWasRead(range);
            throw e;
        }
        if (!range.root().equals(target.root())) {
            RootMismatchException mismatch = new RootMismatchException(target.root(), range.root());
            alert(new Alert(AlertKind.ROOT_MISMATCH, -1, "the entry bundles up to size " + size
                    + " hash to root " + range.root() + ", the checkpoint signs " + target.root()
                    + ": the log serves entries that are not the ones it signed", List.of(target.note())));
            rewind();
            throw mismatch;
        }
        state = MonitorState.verified(target.note(), range, inventory.sync());
        state.save(settings.stateDir());
        settings.progress().progress(progress(start, size, size, began, settings.clock().instant()));
        return size - start;
    }

    /** Waits for the recorder, then saves the position {@code range} with the inventory's length. */
    private void savePosition(CompactRange range) throws IOException {
        recorder.drain();
        state = state.at(range, inventory.sync());
        state.save(settings.stateDir());
    }

    /**
     * After a failed catch-up, saves the position reached so the next try goes on from there; if
     * recording itself failed, cuts the inventory back to the last saved position instead.
     */
    private void keepWhatWasRead(CompactRange range) {
        try {
            savePosition(range);
        } catch (IOException | RuntimeException e) {
            try {
                inventory.truncate(state.positionInventory());
            } catch (IOException again) {
                e.addSuppressed(again);
            }
        }
    }

    /** Drops the unverified catch-up: position and inventory back to the verified checkpoint. */
    private void rewind() throws IOException {
        inventory.truncate(state.verifiedInventory());
        state = state.rewound();
        state.save(settings.stateDir());
    }

    private static Progress progress(long start, long position, long target, Instant began, Instant now) {
        double seconds = Math.max(Duration.between(began, now).toNanos() / 1e9, 1e-9);
        double rate = (position - start) / seconds;
        Duration eta = rate <= 0 || position >= target ? Duration.ZERO
                : Duration.ofMillis((long) ((target - position) / rate * 1000));
        return new Progress(position, target, rate, eta);
    }

    /** Sends {@code alert} to the configured sinks. */
    void alert(Alert alert) {
        settings.alerts().send(alert);
    }

    MonitorSettings settings() {
        return settings;
    }

    /** Saves nothing more (every save already happened) and closes the inventory file. */
    @Override
    public synchronized void close() throws IOException {
        recorder.close();
        inventory.close();
    }
}
