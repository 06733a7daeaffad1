package dev.agentledger.server.auth;

import dev.agentledger.revocation.Heartbeat;
import dev.agentledger.revocation.InvalidRevocationException;
import dev.agentledger.revocation.RevocationEvent;
import dev.agentledger.revocation.RevocationListener;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.revocation.Subscription;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.grpc.StatusRuntimeException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The callers of the private listener whose identity was revoked: every SPIFFE ID and X.509-SVID
 * serial named by a revocation event, followed from the authority's own feed (replayed from the
 * log at start, so a restart forgets nothing). The TLS handshake only proves the certificate chains
 * to a trusted CA and is in its validity window; this refuses a revoked SVID on every request, also
 * over a connection opened before the revocation.
 *
 * <p>Security guarantees: once {@link Revocations#revoke} has returned, no later check lets the
 * revoked caller through: a check first waits until this listener has applied every event numbered
 * so far, and fails closed (refuses) when it cannot within {@link #CATCH_UP}.
 */
public final class RevokedCallers implements RevocationListener {
    /** The longest a check waits for the feed to deliver events already numbered. */
    public static final Duration CATCH_UP = Duration.ofSeconds(5);

    private final Revocations revocations;
    private final Set<String> spiffeIds = ConcurrentHashMap.newKeySet();
    private final Set<String> serials = ConcurrentHashMap.newKeySet();
    private long applied; // guarded by this
    private Subscription subscription; // guarded by this
    private boolean stopped; // guarded by this

    private RevokedCallers(Revocations revocations) {
        this.revocations = revocations;
    }

    /** Callers refused by the revocations of {@code revocations}; call {@link #start} once its feed runs. */
    public static RevokedCallers of(Revocations revocations) {
        return new RevokedCallers(revocations);
    }

    /**
     * Subscribes to every revocation event from the first.
     *
     * @throws IllegalStateException if already started
     */
    public void start() {
        synchronized (this) {
            if (subscription != null) {
                throw new IllegalStateException("already started");
            }
        }
        subscribeFrom(0);
    }

    /**
     * Why the leaf of {@code chain} is refused, or empty if it is not revoked (or there is no
     * chain: authentication is the services' own check).
     */
    public Optional<String> refusal(Optional<Certificate[]> chain) {
        if (chain.isEmpty() || chain.get().length == 0 || !(chain.get()[0] instanceof X509Certificate leaf)) {
            return Optional.empty();
        }
        if (!caughtUp()) {
            return Optional.of("the revocation state is not current; retry later");
        }
        String serial = leaf.getSerialNumber().toString(16);
        if (serials.contains(serial)) {
            return Optional.of("client certificate serial " + serial + " is revoked");
        }
        try {
            String id = dev.agentledger.server.grpc.CallerIdentity.of(chain).value();
            if (spiffeIds.contains(id)) {
                return Optional.of("caller " + id + " is revoked");
            }
        } catch (dev.agentledger.server.grpc.UnauthenticatedException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A filter for the private HTTP routes: a revoked caller gets 403 and the route never runs. */
    public Filter httpFilter() {
        return (chain, req, res) -> {
            Optional<String> refusal = refusal(req.remotePeer().tlsCertificates());
            if (refusal.isPresent()) {
                res.status(Status.FORBIDDEN_403)
                        .header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json")
                        .send("{\"error\":\"access_denied\",\"error_description\":\"" + refusal.get() + "\"}");
                return;
            }
            chain.proceed();
        };
    }

    /**
     * The gRPC services' view of the caller's certificates through this check: a revoked caller's
     * call ends with PERMISSION_DENIED before the service looks at it.
     */
    public Supplier<Optional<Certificate[]>> screen(Supplier<Optional<Certificate[]>> peers) {
        return () -> {
            Optional<Certificate[]> chain = peers.get();
            Optional<String> refusal = refusal(chain);
            if (refusal.isPresent()) {
                throw refused(refusal.get());
            }
            return chain;
        };
    }

    private static StatusRuntimeException refused(String why) {
        return io.grpc.Status.PERMISSION_DENIED.withDescription(why).asRuntimeException();
    }

    private boolean caughtUp() {
        // Read outside this monitor: the feed's lock is never taken while holding ours.
        long wanted = revocations.lastSequence();
        synchronized (this) {
            return caughtUpTo(wanted);
        }
    }

    private boolean caughtUpTo(long wanted) {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (applied < wanted && !stopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000)); // notified by onEvent, onHeartbeat, onClosed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return applied >= wanted;
    }

    @Override
    public synchronized void onEvent(RevocationEvent event) {
        spiffeIds.addAll(event.affected().spiffeIds());
        serials.addAll(event.affected().serials());
        applied = Math.max(applied, event.sequence());
        notifyAll();
    }

    @Override
    public synchronized void onHeartbeat(Heartbeat heartbeat) {
        applied = Math.max(applied, heartbeat.sequence());
        notifyAll();
    }

    @Override
    public void onClosed(Cause cause, String message, long lastSequence) {
        if (cause == Cause.TOO_SLOW) {
            subscribeFrom(lastSequence);
            return;
        }
        synchronized (this) {
            stopped = true;
            notifyAll();
        }
    }

    /** Subscribes outside this monitor, so the feed's lock is never taken while holding ours. */
    private void subscribeFrom(long from) {
        Subscription started;
        try {
            started = revocations.subscribe(from, this);
        } catch (InvalidRevocationException e) {
            throw new IllegalStateException("cannot follow the revocation feed from " + from + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            subscription = started;
        }
    }
}
