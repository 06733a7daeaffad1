package dev.agentledger.verifierclient.revocation;

import dev.agentledger.verifierclient.LogVerifier;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * The revoked ids of one log, kept current from its revocation feed: on a cold start it loads the
 * snapshot ({@code GET /api/v1/revocations/snapshot}), then follows the Server-Sent Events feed
 * ({@code GET /api/v1/revocations/events}) from the last sequence it applied, reconnecting with
 * {@code Last-Event-ID} after any disconnect, so no revocation is missed.
 *
 * <p>Security guarantees: a revocation is applied only if its checkpoint is signed by the log's
 * key, its inclusion proof puts its exact entry at its log index, and its sequence is the next one
 * (a gap makes the cache reconnect from the last sequence applied). {@link #check} answers
 * {@link RevocationStatus.Stale} (fail closed) unless a verified heartbeat that confirms the cache
 * holds every sequence up to the server's latest arrived within the freshness bound; a stale
 * answer says why (time since the last heartbeat, the last error).
 *
 * <p>Thread-safe: one daemon thread follows the feed, checks run on any thread.
 */
public final class RevocationCache implements AutoCloseable {
    /** The longest SSE line read: 1 MiB. */
    static final int MAX_LINE = 1 << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final RevocationCacheConfig config;
    private final FeedMessages messages;
    private final RevokedIds revoked = new RevokedIds();
    private final HttpClient http;
    private final Object lock = new Object();
    private volatile long sequence;
    private volatile long heartbeatSize;
    private volatile Instant heardAt;
    private volatile String lastError = "not connected yet";
    private volatile boolean closed;
    private volatile InputStream stream;
    private Thread thread;

    private RevocationCache(LogVerifier verifier, RevocationCacheConfig config) {
        this.config = config;
        this.messages = new FeedMessages(verifier);
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** A cache of the revocations of the log {@code verifier} checks, fed from {@code config.baseUrl()}; call {@link #start()}. */
    public static RevocationCache create(LogVerifier verifier, RevocationCacheConfig config) {
        return new RevocationCache(verifier, config);
    }

    /** Starts following the feed on a daemon thread. */
    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().name("revocation-cache").daemon(true).start(this::run);
        }
    }

    /**
     * Whether any of {@code ids} is revoked now. Revoked wins over stale: a known revocation is
     * reported even when the feed has gone quiet.
     */
    public RevocationStatus check(CredentialIds ids) {
        Instant now = config.clock().instant();
        for (String key : ids.keys()) {
            RevokedIds.Hit hit = revoked.find(key, now);
            if (hit != null) {
                return new RevocationStatus.Revoked(hit.id(), hit.sequence(), hit.reason(), hit.detail(), hit.effective());
            }
        }
        Instant heard = heardAt;
        if (heard == null) {
            return new RevocationStatus.Stale("no heartbeat from " + config.baseUrl() + " yet (" + lastError + ")");
        }
        Duration since = Duration.between(heard, now);
        if (since.compareTo(config.freshness()) > 0) {
            return new RevocationStatus.Stale("no heartbeat from " + config.baseUrl() + " for " + since.toMillis()
                    + " ms, more than the freshness bound of " + config.freshness().toMillis() + " ms (last error: "
                    + lastError + ")");
        }
        return new RevocationStatus.NotRevoked(sequence, heard);
    }

    /**
     * Refuses a credential that is revoked, or whose status is unknown because the feed is stale.
     *
     * @throws CredentialRevokedException carrying the {@link RevocationStatus.Revoked} or {@link RevocationStatus.Stale}
     */
    public void requireNotRevoked(CredentialIds ids) throws CredentialRevokedException {
        RevocationStatus status = check(ids);
        if (!(status instanceof RevocationStatus.NotRevoked)) {
            throw new CredentialRevokedException(status);
        }
    }

    /** The last revocation sequence applied (0 before any). */
    public long lastSequence() {
        return sequence;
    }

    /** How many revoked ids the cache holds. */
    public int revokedIds() {
        return revoked.size();
    }

    /** Why the feed last failed or ended, for diagnostics. */
    public String lastError() {
        return lastError;
    }

    /**
     * Applies one feed message: {@code revocation}, {@code heartbeat} or {@code closed} (others are
     * ignored, as SSE asks).
     *
     * @throws RevocationFeedException if it does not verify or is out of order; nothing is applied
     */
    void accept(String event, String data) throws RevocationFeedException {
        synchronized (lock) {
            switch (event) {
                case "revocation" -> apply(messages.event(data));
                case "heartbeat" -> heartbeat(messages.heartbeat(data));
                case "closed" -> lastError = "the server closed the feed: " + data;
                default -> { }
            }
        }
    }

    /**
     * Applies a snapshot: every revocation in it, then its sequence as the one to follow from.
     *
     * @throws RevocationFeedException if any of it does not verify; nothing is applied
     */
    void load(String json) throws RevocationFeedException {
        FeedMessages.VerifiedSnapshot snapshot = messages.snapshot(json);
        synchronized (lock) {
            if (snapshot.sequence() < sequence) {
                return;
            }
            snapshot.revocations().forEach(r -> r.hits().forEach(revoked::add));
            sequence = snapshot.sequence();
        }
    }

    private void apply(FeedMessages.VerifiedRevocation revocation) throws RevocationFeedException {
        if (revocation.sequence() <= sequence) {
            return; // Already applied (from a snapshot, or before a reconnect).
        }
        if (revocation.sequence() != sequence + 1) {
            throw new RevocationFeedException("revocation " + revocation.sequence() + " follows " + sequence
                    + ": the feed skipped some");
        }
        revocation.hits().forEach(revoked::add);
        sequence = revocation.sequence();
    }

    private void heartbeat(FeedMessages.VerifiedHeartbeat heartbeat) throws RevocationFeedException {
        if (heartbeat.sequence() != sequence) {
            throw new RevocationFeedException("heartbeat at sequence " + heartbeat.sequence() + ", but the cache has "
                    + sequence + ": events are missing");
        }
        if (heartbeat.checkpoint().size() < heartbeatSize) {
            throw new RevocationFeedException("heartbeat checkpoint of size " + heartbeat.checkpoint().size()
                    + " is older than one of size " + heartbeatSize + " seen before");
        }
        heartbeatSize = heartbeat.checkpoint().size();
        heardAt = config.clock().instant();
    }

    private void run() {
        while (!closed) {
            try {
                if (sequence == 0) {
                    load(new String(get("/api/v1/revocations/snapshot"), StandardCharsets.UTF_8));
                }
                follow();
                lastError = "the feed ended";
            } catch (IOException | RevocationFeedException e) {
                lastError = e.getMessage();
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(config.reconnectDelay());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private byte[] get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(config.baseUrl() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** Reads the SSE stream from the last sequence until it ends, applying each message. */
    private void follow() throws IOException, InterruptedException, RevocationFeedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.baseUrl() + "/api/v1/revocations/events"))
                .header("Accept", "text/event-stream")
                .header("Last-Event-ID", Long.toString(sequence))
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = new BufferedInputStream(response.body())) {
            if (response.statusCode() != 200) {
                throw new IOException("the feed answered " + response.statusCode() + ": "
                        + new String(in.readNBytes(512), StandardCharsets.UTF_8));
            }
            stream = in;
            if (closed) {
                return;
            }
            readEvents(in);
        } finally {
            stream = null;
        }
    }

    /** The SSE grammar (WHATWG HTML, server-sent events): field lines, a blank line ends a message. */
    private void readEvents(InputStream in) throws IOException, RevocationFeedException {
        String event = "message";
        StringBuilder data = null;
        String line;
        while ((line = readLine(in)) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    accept(event, data.toString());
                }
                event = "message";
                data = null;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(line.startsWith(" ", colon + 1) ? colon + 2 : colon + 1);
            switch (field) {
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { } // id (the sequence is in the data), retry, comments
            }
        }
    }

    /** One line without its terminator (LF, CRLF or CR), or null at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\r') {
                in.mark(1);
                if (in.read() != '\n') {
                    in.reset();
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("an SSE line is longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    /** Stops following the feed; checks answer stale once the freshness bound passes. */
    @Override
    public void close() {
        closed = true;
        InputStream open = stream;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // Closing only to unblock the reader.
            }
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            running.interrupt();
        }
    }
}
