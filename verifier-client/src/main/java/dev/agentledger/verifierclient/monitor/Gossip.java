package dev.agentledger.verifierclient.monitor;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.verifierclient.ForkException;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.internal.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoint gossip between monitors of the same log: each peer's latest signed checkpoint is
 * checked against this monitor's, so a log that shows different monitors different histories (a
 * split view) is caught with the two signed notes as evidence.
 *
 * <p>Protocol (HTTP, served by {@link GossipServer}): {@code POST <peer>/gossip/v1/checkpoint} with
 * this monitor's latest signed note as the body ({@code text/plain; charset=utf-8}); the peer checks
 * it and answers with its own latest note: 200 when it found no conflict, 409 when it found a split
 * view, 204 when it has no checkpoint yet, 422 when the posted note is not a checkpoint of its log.
 * {@code GET <peer>/gossip/v1/checkpoint} returns the peer's latest note (404 before the first).
 *
 * <p>Check ({@link #receive}): the note must be signed by the log's key for the origin (witness
 * cosignatures are not required: the log's own signature makes it evidence). Same size as ours: the
 * roots must be equal. Different sizes: an RFC 9162 consistency proof computed from the log's tiles
 * of the larger tree must verify against both roots. If those tiles are not available from the log
 * (it has not shown this monitor that size yet) the outcome is {@link GossipOutcome.Status#UNRESOLVED}
 * and the next round tries again. A split view raises a {@link AlertKind#SPLIT_VIEW} alert with both
 * notes and writes them to {@code <state>/evidence/split-view-<millis>.txt}. Thread-safe.
 */
public final class Gossip {
    /** The path of the gossip endpoint on a peer. */
    public static final String PATH = "/gossip/v1/checkpoint";
    /** The largest note accepted or read from a peer: 64 KiB. */
    public static final int MAX_NOTE = 1 << 16;

    private final Monitor monitor;
    private final HttpClient http;
    private final Duration timeout;

    private Gossip(Monitor monitor, Duration timeout) {
        this.monitor = monitor;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Gossip for {@code monitor}'s log, each peer request limited to {@code timeout}. */
    public static Gossip create(Monitor monitor, Duration timeout) {
        return new Gossip(monitor, timeout);
    }

    /** This monitor's latest verified note, empty before the first. */
    public Optional<String> ownNote() {
        return monitor.latest().map(VerifiedCheckpoint::note);
    }

    /** Checks a checkpoint note received from a peer against this monitor's latest; see the class comment. */
    public GossipOutcome receive(byte[] note) {
        VerifiedCheckpoint theirs;
        try {
            theirs = monitor.verifier().open(note);
        } catch (VerificationException e) {
            return new GossipOutcome(GossipOutcome.Status.REJECTED, e.getMessage(), Optional.empty());
        }
        Optional<VerifiedCheckpoint> ours = monitor.latest();
        if (ours.isEmpty()) {
            return new GossipOutcome(GossipOutcome.Status.CONSISTENT, "no checkpoint of ours to compare with size "
                    + theirs.size() + " yet", Optional.empty());
        }
        ForkException fork;
        try {
            fork = monitor.consistencyFailure(ours.get(), theirs);
        } catch (IOException e) {
            return new GossipOutcome(GossipOutcome.Status.UNRESOLVED, "cannot compare our size " + ours.get().size()
                    + " with the peer's size " + theirs.size() + " yet: " + e.getMessage(), Optional.empty());
        }
        if (fork == null) {
            return new GossipOutcome(GossipOutcome.Status.CONSISTENT, "our size " + ours.get().size()
                    + " and the peer's size " + theirs.size() + " are one history", Optional.empty());
        }
        return splitView(ours.get(), theirs, fork);
    }

    private GossipOutcome splitView(VerifiedCheckpoint ours, VerifiedCheckpoint theirs, ForkException fork) {
        String reason = fork.getMessage().lines().findFirst().orElse("split view");
        StringBuilder evidence = new StringBuilder("split view of log ").append(ours.checkpoint().origin())
                .append('\n').append(reason).append("\n--- our checkpoint ---\n").append(ours.note())
                .append("--- the peer's checkpoint ---\n").append(theirs.note());
        fork.proof().ifPresent(p -> {
            evidence.append("--- consistency proof from size ").append(p.size1()).append(" to ").append(p.size2())
                    .append(", computed from the log's tiles ---\n");
            for (Hash hash : p.hashes()) {
                evidence.append(hash.toBase64()).append('\n');
            }
        });
        Path file = monitor.stateDir().resolve("evidence")
                .resolve("split-view-" + monitor.settings().clock().millis() + "-" + theirs.size() + ".txt");
        Optional<Path> written;
        try {
            AtomicFile.write(file, evidence.toString().getBytes(StandardCharsets.UTF_8));
            written = Optional.of(file);
        } catch (IOException e) {
            written = Optional.empty();
            reason += " (evidence file " + file + " not written: " + e.getMessage() + ")";
        }
        monitor.alert(new Alert(AlertKind.SPLIT_VIEW, -1, reason + written.map(f -> "; evidence in " + f).orElse(""),
                List.of(ours.note(), theirs.note())));
        return new GossipOutcome(GossipOutcome.Status.SPLIT_VIEW, reason, written);
    }

    /**
     * Sends this monitor's latest note to {@code peer} (its base URL) and checks the note it answers
     * with. Does nothing but fetch the peer's note when this monitor has none yet.
     *
     * @throws IOException if the peer cannot be reached or answers with an unexpected status
     */
    public GossipOutcome exchange(URI peer) throws IOException {
        URI endpoint = peer.resolve(PATH);
        Optional<String> own = ownNote();
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout);
        if (own.isPresent()) {
            request.header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(own.get(), StandardCharsets.UTF_8));
        } else {
            request.GET();
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while gossiping with " + endpoint, e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_NOTE + 1);
        }
        if (body.length > MAX_NOTE) {
            throw new IOException(endpoint + " answered more than " + MAX_NOTE + " bytes");
        }
        return switch (response.statusCode()) {
            case 200, 409 -> receive(body);
            case 204, 404 -> new GossipOutcome(GossipOutcome.Status.UNRESOLVED, "the peer has no checkpoint yet",
                    Optional.empty());
            default -> throw new IOException(endpoint + " answered " + response.statusCode() + ": "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip());
        };
    }
}
