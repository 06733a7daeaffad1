package dev.agentledger.server.revocation;

import dev.agentledger.revocation.Heartbeat;
import dev.agentledger.revocation.InvalidRevocationException;
import dev.agentledger.revocation.RevocationEvent;
import dev.agentledger.revocation.RevocationListener;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.revocation.Subscription;
import dev.agentledger.server.log.InvalidRequestException;
import dev.agentledger.server.observe.RevocationMeters;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The public revocation feed (revocations are public in the log anyway), under {@code /api/v1}:
 * {@code GET /revocations/events} streams Server-Sent Events from the sequence in the
 * {@code Last-Event-ID} header or the {@code from} query parameter (0 when neither): event
 * {@code revocation} with id = its sequence and data = the {@code RevocationEvent} in protobuf JSON,
 * event {@code heartbeat} every second with the {@code RevocationHeartbeat}, and a last event
 * {@code closed} when the server cuts the stream ({@code {"cause", "message", "last_sequence"}});
 * {@code GET /revocations/snapshot} returns the {@code RevocationSnapshot} in protobuf JSON.
 * Bad sequences are 400 (through the public listener's error mapping).
 */
public final class RevocationFeedHttpService implements HttpService {
    /** The SSE media type (WHATWG HTML, server-sent events). */
    static final String EVENT_STREAM = "text/event-stream";

    /** The SSE reconnection header (WHATWG HTML, server-sent events). */
    static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");

    /** The most SSE streams open at once on this public endpoint; more are answered 503 (it is unauthenticated). */
    public static final int DEFAULT_MAX_STREAMS = 10_000;

    private final Revocations revocations;
    private final RevocationMessages messages;
    private final int maxStreams;
    private final RevocationMeters meters;
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    /** The feed of {@code revocations}, at most {@link #DEFAULT_MAX_STREAMS} streams at once. */
    public RevocationFeedHttpService(Revocations revocations) {
        this(revocations, DEFAULT_MAX_STREAMS);
    }

    /** The feed of {@code revocations}, at most {@code maxStreams} SSE streams at once. */
    public RevocationFeedHttpService(Revocations revocations, int maxStreams) {
        this(revocations, maxStreams, RevocationMeters.global(java.time.InstantSource.system()));
    }

    /** The feed of {@code revocations}, at most {@code maxStreams} SSE streams at once, measured in {@code meters}. */
    public RevocationFeedHttpService(Revocations revocations, int maxStreams, RevocationMeters meters) {
        this(revocations, new RevocationMessages(), maxStreams, meters);
    }

    RevocationFeedHttpService(Revocations revocations, RevocationMessages messages, int maxStreams) {
        this(revocations, messages, maxStreams, RevocationMeters.global(java.time.InstantSource.system()));
    }

    RevocationFeedHttpService(Revocations revocations, RevocationMessages messages, int maxStreams, RevocationMeters meters) {
        this.meters = meters;
        this.revocations = revocations;
        this.messages = messages;
        this.maxStreams = maxStreams;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/revocations/events", this::events)
                .get("/revocations/snapshot", this::snapshot);
    }

    private void snapshot(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(messages.json(revocations.snapshot()));
    }

    private void events(ServerRequest req, ServerResponse res) throws InterruptedException {
        long from = from(req);
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            res.status(io.helidon.http.Status.SERVICE_UNAVAILABLE_503)
                    .header(HeaderNames.RETRY_AFTER, "5")
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .send("{\"error\":\"the revocation feed serves " + maxStreams + " streams at once; retry later,"
                            + " or subscribe over gRPC on the private listener\"}");
            return;
        }
        meters.subscribers(RevocationMeters.SSE).incrementAndGet();
        try {
            stream(req, res, from);
        } finally {
            meters.subscribers(RevocationMeters.SSE).decrementAndGet();
            open.decrementAndGet();
        }
    }

    private void stream(ServerRequest req, ServerResponse res, long from) throws InterruptedException {
        SseWriter writer = new SseWriter();
        Subscription subscription;
        try {
            subscription = revocations.subscribe(from, meters.timed(RevocationMeters.SSE, writer));
        } catch (InvalidRevocationException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
        res.header(HeaderNames.CONTENT_TYPE, EVENT_STREAM);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (OutputStream out = res.outputStream()) {
            out.flush(); // The status and headers go now: the first event may be a heartbeat away.
            writer.stream.complete(out);
            writer.done.await();
        } catch (IOException | java.io.UncheckedIOException e) {
            // The client went away.
        } finally {
            subscription.close();
        }
    }

    /** The sequence to resume from: Last-Event-ID, else ?from=, else 0. */
    static long from(ServerRequest req) {
        Optional<String> text = req.headers().contains(LAST_EVENT_ID)
                ? Optional.of(req.headers().get(LAST_EVENT_ID).get())
                : req.query().first("from").asOptional();
        if (text.isEmpty() || text.get().isBlank()) {
            return 0;
        }
        try {
            long from = Long.parseLong(text.get().strip());
            if (from < 0) {
                throw new NumberFormatException();
            }
            return from;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("sequence \"" + text.get() + "\" is not a number 0.." + Long.MAX_VALUE);
        }
    }

    /**
     * Writes one subscription as SSE once the stream is open, from bytes made once per event for
     * every stream; events that were waiting together go out in one flush. Any write failure ends it.
     */
    private final class SseWriter implements RevocationListener {
        final CompletableFuture<OutputStream> stream = new CompletableFuture<>();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void onEvent(RevocationEvent event) throws Exception {
            write(List.of(messages.sse(event)));
        }

        @Override
        public void onEvents(List<RevocationEvent> events) throws Exception {
            List<byte[]> texts = new ArrayList<>(events.size());
            for (RevocationEvent event : events) {
                texts.add(messages.sse(event));
            }
            write(texts);
        }

        @Override
        public void onHeartbeat(Heartbeat heartbeat) throws Exception {
            write(List.of(messages.sse(heartbeat)));
        }

        @Override
        public void onClosed(Cause cause, String message, long lastSequence) {
            try {
                write(List.of(RevocationMessages.sse(null, "closed", JsonObject.builder()
                        .set("cause", cause.name())
                        .set("message", message)
                        .set("last_sequence", lastSequence)
                        .build().toString())));
            } catch (Exception e) {
                // The client is gone already.
            } finally {
                done.countDown();
            }
        }

        private void write(List<byte[]> texts) throws Exception {
            try {
                OutputStream out = stream.get();
                out.write(texts.size() == 1 ? texts.get(0) : concatenate(texts)); // One write, one chunk.
                out.flush();
            } catch (Exception | Error e) {
                done.countDown();
                throw e;
            }
        }
    }

    private static byte[] concatenate(List<byte[]> texts) {
        int length = 0;
        for (byte[] text : texts) {
            length += text.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] text : texts) {
            System.arraycopy(text, 0, all, at, text.length);
            at += text.length;
        }
        return all;
    }
}
