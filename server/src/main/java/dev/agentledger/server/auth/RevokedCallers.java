package dev.agentledger.server.auth;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.revocation.Heartbeat;
import dev.agentledger.revocation.InvalidRevocationException;
import dev.agentledger.revocation.RevocationEvent;
import dev.agentledger.revocation.RevocationListener;
import dev.agentledger.revocation.Revocations;
import dev.agentledger.revocation.Subscription;
import dev.agentledger.revocation.Target;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.grpc.UnauthenticatedException;
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
 * The callers of the private listener whose identity was revoked, followed from the authority's own
 * feed (replayed from the log at start, so a restart forgets nothing). Every target kind of
 * {@code Revoked} that can name a caller is matched: a SPIFFE ID (the caller's URI SAN), an
 * X.509-SVID serial (the caller's leaf), an agent instance (a caller {@code spiffe://<td>/agent/<name>/<instance>},
 * the authority's naming of instances, whatever certificate it holds) and a user (a caller
 * {@code spiffe://<td>/user/...}, logged as the user {@code spiffe://<td>#spiffe://<td>/user/...}).
 * Token and delegation targets name no caller certificate. The TLS handshake only proves the certificate chains
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
    private final Set<String> agentInstances = ConcurrentHashMap.newKeySet();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
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
        SpiffeId id;
        try {
            id = CallerIdentity.of(chain);
        } catch (UnauthenticatedException e) {
            return Optional.empty();
        }
        if (spiffeIds.contains(id.value())) {
            return Optional.of("caller " + id + " is revoked");
        }
        Optional<String> instance = agentInstances.isEmpty() ? Optional.empty() : agentInstance(id);
        if (instance.isPresent() && agentInstances.contains(instance.get())) {
            return Optional.of("caller " + id + " is revoked: its agent instance " + instance.get() + " is revoked");
        }
        if (!users.isEmpty() && users.contains(userKey(id))) {
            return Optional.of("caller " + id + " is revoked: the user is revoked");
        }
        return Optional.empty();
    }

    /**
     * The agent instance a caller is, by the authority's naming ({@code /agent/<name>/<instance>}, see
     * {@code WorkloadSpec}); empty for any other path. A caller of another trust domain named like a
     * revoked instance is refused too: that only ever refuses more.
     */
    static Optional<String> agentInstance(SpiffeId id) {
        String[] segments = id.path().split("/", -1);
        // "/agent/<name>/<instance>" splits into "", "agent", name, instance.
        return segments.length == 4 && segments[1].equals("agent") ? Optional.of(segments[3]) : Optional.empty();
    }

    /** The user a caller would be in the log: issuer = its trust domain, subject = its SPIFFE ID (as the issuer logs users). */
    static String userKey(SpiffeId id) {
        return Target.user(SpiffeId.ofTrustDomain(id.trustDomain()).value(), id.value()).value();
    }

    /** The user a revocation names as {@code issuer#subject}, if its target is a user. */
    private static Optional<String> revokedUser(Revoked revoked) {
        if (revoked.getTargetCase() != Revoked.TargetCase.USER) {
            return Optional.empty();
        }
        try {
            return Optional.of(Target.user(revoked.getUser().getIssuer(), revoked.getUser().getSubject()).value());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a malformed user names no caller
        }
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
        agentInstances.addAll(event.affected().agentInstances());
        revokedUser(event.revoked()).ifPresent(users::add);
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
