package dev.agentledger.ledger;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Verifier;
import dev.agentledger.merkle.note.Note;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.merkle.witness.MalformedWitnessMessageException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Submits the log's checkpoints to its witnesses (c2sp.org/tlog-witness, "add-checkpoint") and
 * keeps the latest <em>witnessed checkpoint</em>: the log's signed note with the collected
 * {@code cosignature/v1} lines appended after the log's own signature line.
 *
 * <p>One round ({@link #submitOnce()}) sends the latest checkpoint to every witness whose last
 * cosigned size is below it, with {@code old <size>} = that size (0 at first) and the consistency
 * proof from there. A 200 answer's lines must each verify with that witness's key over the
 * checkpoint, or the answer is refused. A 409 answer names the witness's size: if this log signed
 * a checkpoint of that size, the next round starts from it; if not (or it is larger than the log),
 * the witness has seen another history: a fork alarm (logged, counted), and that witness is backed
 * off. Every other status and every I/O error is logged and backed off; the log keeps serving.
 *
 * <p>Security guarantees: a witnessed checkpoint holds only cosignature lines verified with the
 * configured keys over this log's own signed checkpoint; it is persisted (temp file, fsync,
 * atomic rename) before {@link #witnessedCheckpoint()} returns it.
 *
 * <p>Thread-safe: rounds are serialized; {@link #start()} runs them on one daemon thread, at most
 * once per {@code interval}, through the injected sleeper.
 */
public final class WitnessSubmitter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WitnessSubmitter.class.getName());
    /** The default time between rounds, the pace the spec expects of witnesses. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    /** The default timeout of every request (connect and answer). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    private static final int MAX_ANSWER = 64 << 10;

    /**
     * A witness the log submits to.
     *
     * @param url the witness's base URL; requests go to {@code <url>/add-checkpoint}
     * @param key the witness's {@code cosignature/v1} verifier key
     */
    public record Witness(URI url, VerifierKey key) {
        /** Requires both. */
        public Witness {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(key, "key");
        }
    }

    /** What the submitter reports; the server adapts it to its metrics registry. */
    public interface Metrics {
        /** Reports nothing. */
        Metrics NONE = new Metrics() {};

        /** {@code witness} (its key name) returned a verified cosignature. */
        default void cosigned(String witness) {}

        /** A submission to {@code witness} failed (status, I/O, bad answer). */
        default void failed(String witness) {}

        /** {@code witness} claims a size this log never signed: evidence of a fork. */
        default void forkAlarm(String witness) {}
    }

    /** Waits between rounds; tests pass one that returns at once or blocks on a signal. */
    public interface Sleeper {
        /** Waits about {@code duration}. */
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Ledger ledger;
    private final List<WitnessState> witnesses;
    private final Path stateFile;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final Metrics metrics;
    private final Duration interval;
    private final Duration timeout;
    private final HttpClient http;
    private final Object roundLock = new Object();
    private volatile Optional<String> witnessed;
    private volatile Thread thread;

    private WitnessSubmitter(Ledger ledger, List<Witness> witnesses, Path stateFile, InstantSource clock,
            Sleeper sleeper, Metrics metrics, Duration interval, Duration timeout) {
        this.ledger = Objects.requireNonNull(ledger);
        this.witnesses = witnesses.stream().map(WitnessState::new).toList();
        this.stateFile = Objects.requireNonNull(stateFile);
        this.clock = Objects.requireNonNull(clock);
        this.sleeper = Objects.requireNonNull(sleeper);
        this.metrics = Objects.requireNonNull(metrics);
        this.interval = Objects.requireNonNull(interval);
        this.timeout = Objects.requireNonNull(timeout);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * A submitter for {@code ledger}'s checkpoints, persisting the witnessed checkpoint in {@code
     * stateFile} and loading it from there if present and still this log's. Not started.
     *
     * @throws StorageException if {@code stateFile} exists but cannot be read, or holds a checkpoint
     *     this log signed that its store no longer reproduces (the store lost or changed published
     *     entries: signing on would fork the log)
     * @throws IllegalArgumentException if {@code witnesses} is empty or an interval is not positive
     */
    public static WitnessSubmitter create(Ledger ledger, List<Witness> witnesses, Path stateFile,
            InstantSource clock, Sleeper sleeper, Metrics metrics, Duration interval, Duration timeout) {
        if (witnesses.isEmpty()) {
            throw new IllegalArgumentException("no witnesses");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("interval " + interval + " and timeout " + timeout + " must be positive");
        }
        WitnessSubmitter submitter = new WitnessSubmitter(ledger, List.copyOf(witnesses), stateFile, clock, sleeper,
                metrics, interval, timeout);
        submitter.witnessed = persisted(ledger, stateFile);
        return submitter;
    }

    /** The configured witnesses, in order. */
    public List<Witness> witnesses() {
        return witnesses.stream().map(w -> w.witness).toList();
    }

    /** The witnessed checkpoint: the log's note plus verified cosignature lines, if any round collected one. */
    public Optional<String> witnessedCheckpoint() {
        return witnessed;
    }

    /** Starts the daemon thread that runs {@link #submitOnce()} every {@code interval}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Thread.ofPlatform().daemon().name("agentledger-witness-submitter").start(this::run);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                submitOnce();
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "witness round failed", e);
            }
        }
    }

    /**
     * Runs one round: submits the latest checkpoint to every witness that is behind it and not
     * backed off, then updates the witnessed checkpoint if the round collected cosignatures.
     *
     * @throws InterruptedException if interrupted while waiting for a witness
     */
    public void submitOnce() throws InterruptedException {
        synchronized (roundLock) {
            SignedCheckpoint latest = ledger.checkpoint();
            Instant now = clock.instant();
            for (WitnessState w : witnesses) {
                if (w.cosignedSize < latest.size() || w.cosignature == null) {
                    if (!now.isBefore(w.retryAt)) {
                        submit(w, latest, now);
                    }
                }
            }
            collect(latest);
        }
    }

    private void submit(WitnessState w, SignedCheckpoint latest, Instant now) throws InterruptedException {
        if (w.cosignedSize == latest.size() && w.cosignature != null) {
            return;
        }
        long old = w.cosignedSize;
        List<Hash> proof = old == 0 || old == latest.size() ? List.of() : ledger.consistencyProof(old, latest.size()).hashes();
        String body = new AddCheckpointRequest(old, proof, latest.note()).format();
        HttpRequest request = HttpRequest.newBuilder(w.endpoint)
                .timeout(timeout)
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            fail(w, now, "cannot reach witness: " + e);
            return;
        }
        String answer = new String(response.body(), 0, Math.min(response.body().length, MAX_ANSWER), StandardCharsets.UTF_8);
        switch (response.statusCode()) {
            case 200 -> accept(w, latest, answer, now);
            case 409 -> conflict(w, latest, old, answer, now);
            default -> fail(w, now, "status " + response.statusCode() + ": " + answer.strip());
        }
    }

    private void accept(WitnessState w, SignedCheckpoint latest, String answer, Instant now) {
        try {
            w.cosignature = verifiedCosignature(w, latest, answer);
        } catch (VerificationException e) {
            fail(w, now, "refused its answer: " + e.getMessage());
            return;
        }
        w.cosignedSize = latest.size();
        w.failures = 0;
        metrics.cosigned(w.witness.key().name());
    }

    /** Every line of {@code answer} must be a cosignature by this witness that verifies over the checkpoint. */
    private static String verifiedCosignature(WitnessState w, SignedCheckpoint latest, String answer)
            throws VerificationException {
        if (answer.isEmpty() || !answer.endsWith("\n")) {
            throw new VerificationException("answer is not newline-terminated signature lines");
        }
        for (String line : answer.split("\n")) {
            Note note = Notes.open(latest.note() + line + "\n", List.of(w.verifier));
            if (w.verifier.verifiedTimestamp(note).isEmpty()) {
                throw new VerificationException("line \"" + line + "\" is not a cosignature by " + w.witness.key().name());
            }
        }
        return answer;
    }

    private void conflict(WitnessState w, SignedCheckpoint latest, long old, String answer, Instant now) {
        long size;
        try {
            size = AddCheckpointRequest.parseSize(answer);
        } catch (MalformedWitnessMessageException e) {
            fail(w, now, "409 " + e.getMessage());
            return;
        }
        boolean signed = size == 0 || (size <= latest.size() && ledger.checkpoint(size).isPresent());
        if (size > latest.size() || !signed || (size == old && old != 0)) {
            LOG.log(System.Logger.Level.ERROR, "FORK ALARM: witness " + w.witness.url() + " (" + w.witness.key().name()
                    + ") cosigned size " + size + ", which this log (size " + latest.size() + ", sent old " + old
                    + ") did not sign as the witness saw it; the witness has seen another history of " + latest.checkpoint().origin());
            metrics.forkAlarm(w.witness.key().name());
            backOff(w, now);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "witness " + w.witness.url() + " is at size " + size + "; retrying from there");
        w.cosignedSize = size;
        w.cosignature = null;
    }

    private void fail(WitnessState w, Instant now, String reason) {
        metrics.failed(w.witness.key().name());
        Duration wait = backOff(w, now);
        LOG.log(System.Logger.Level.WARNING, "witness " + w.witness.url() + ": " + reason + "; retrying in " + wait);
    }

    private Duration backOff(WitnessState w, Instant now) {
        w.failures = Math.min(w.failures + 1, 16);
        Duration wait = interval.multipliedBy(1L << Math.min(w.failures - 1, 6));
        if (wait.compareTo(MAX_BACKOFF) > 0) {
            wait = MAX_BACKOFF;
        }
        w.retryAt = now.plus(wait);
        return wait;
    }

    /** Appends, after the log's note, the cosignatures of every witness that cosigned {@code latest}. */
    private void collect(SignedCheckpoint latest) {
        StringBuilder note = new StringBuilder(latest.note());
        int count = 0;
        for (WitnessState w : witnesses) {
            if (w.cosignature != null && w.cosignedSize == latest.size()) {
                note.append(w.cosignature);
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        String candidate = note.toString();
        if (witnessed.filter(candidate::equals).isPresent()) {
            return;
        }
        Optional<String> current = witnessed;
        if (current.isPresent() && sizeOf(current.get()) == latest.size() && current.get().length() > candidate.length()) {
            return; // already holds more cosignatures for this size
        }
        persist(candidate);
        witnessed = Optional.of(candidate);
    }

    private static long sizeOf(String note) {
        try {
            return Checkpoint.parse(note.substring(0, note.indexOf("\n\n") + 1)).size();
        } catch (VerificationException | RuntimeException e) {
            return -1;
        }
    }

    private void persist(String note) {
        try {
            DurableFile.replace(stateFile, note.getBytes(StandardCharsets.UTF_8), DurableFile.WORLD_READABLE);
        } catch (IOException e) {
            throw new StorageException("cannot persist the witnessed checkpoint in " + stateFile, e);
        }
    }

    /**
     * The witnessed checkpoint persisted in {@code stateFile}, if there is one and it is a note
     * {@code ledger}'s key signed (another file is ignored, with a warning). A server checks it at
     * start whether or not it submits to witnesses this time.
     *
     * @throws StorageException if the file cannot be read, or {@code ledger}'s store does not hold
     *     that checkpoint (it lost or changed entries the witnesses already cosigned: signing from
     *     there would fork the log)
     */
    public static Optional<String> persisted(Ledger ledger, Path stateFile) {
        String note;
        try {
            note = Files.readString(stateFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read the witnessed checkpoint in " + stateFile, e);
        }
        byte[] bytes = note.getBytes(StandardCharsets.UTF_8);
        if (ledger.openOwn(bytes).isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + stateFile + ": not a checkpoint this log signed");
            return Optional.empty();
        }
        try {
            ledger.checkPublished(bytes);
        } catch (StorageException e) {
            throw new StorageException(stateFile + ": the log store does not hold the checkpoint its witnesses cosigned: "
                    + e.getMessage() + ". Start on the data directory the log last ran on, or restore a copy at least that new", e);
        }
        return Optional.of(note);
    }

    /** Stops the thread, if started, waits for it, and closes the HTTP client. */
    @Override
    public void close() {
        try {
            stopThread();
        } finally {
            http.close();
        }
    }

    private void stopThread() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(timeout.toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What the submitter knows of one witness; guarded by {@code roundLock}. */
    private static final class WitnessState {
        final Witness witness;
        final URI endpoint;
        final CosignatureV1Verifier verifier;
        long cosignedSize;
        String cosignature;
        int failures;
        Instant retryAt = Instant.MIN;

        WitnessState(Witness witness) {
            this.witness = witness;
            String base = witness.url().toString();
            this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "add-checkpoint");
            this.verifier = CosignatureV1Verifier.create(witness.key());
        }
    }
}
