package dev.agentledger.server.http;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;
import io.helidon.webserver.http.Filter;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes every accepted connection that has not delivered its first whole request within the
 * request timeout of being accepted: the TLS handshake, the request line and headers and, for a
 * request with a body, the body (an HTTP request counts as delivered when its answer is sent; a
 * gRPC call when its first message arrives). Helidon 4.5 applies no read timeout to accepted
 * sockets ({@code SocketOptions.readTimeout} only reaches client sockets) and its idle-connection
 * sweep sees a connection only once its TLS handshake and protocol selection are done, so without
 * this a client that stalls or trickles (slowloris) holds its connection for as long as it likes.
 *
 * <p>After the first request a connection is Helidon's: its idle sweep closes it once no request
 * started for the listener's idle timeout. A later request on a kept-alive connection that
 * trickles is bounded by that sweep, not by the request timeout.
 *
 * <p>Each close is logged at DEBUG with the peer; the 1st, 2nd, 4th ... 64th and then every
 * {@value #WARN_EVERY}th at WARNING with the total, so an operator sees when honest clients are cut off too (a fleet of
 * verifiers connecting at once to a loaded host can take longer than the timeout for its TLS
 * handshakes and first calls; the client only sees its connection drop) without a slowloris
 * flooding the log.
 *
 * <p>Thread-safe. The watch runs on the JDK's shared delayed executor: no thread of its own.
 */
public final class SlowClients {
    private static final System.Logger LOG = System.getLogger(SlowClients.class.getName());
    /** One WARNING line per this many closes (and at each power of two below it). */
    static final long WARN_EVERY = 100;
    private final Duration requestTimeout;
    private final Executor later;
    private final Map<SocketAddress, SocketChannel> pending = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    /** Closes by every watch of this process, which the metric reads (one server per process). */
    private static final AtomicLong CLOSED_IN_PROCESS = new AtomicLong();

    private SlowClients(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        this.later = CompletableFuture.delayedExecutor(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A watch that gives each accepted connection {@code requestTimeout} for its first request.
     *
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public static SlowClients of(Duration requestTimeout) {
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout " + requestTimeout + " is not positive");
        }
        return new SlowClients(requestTimeout);
    }

    /** The time a connection gets for its first request. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * How many connections every watch of this process closed for not delivering a request in
     * time: the count behind the {@code agentledger_connections_closed_slow_total} metric.
     */
    public static long closedInProcess() {
        return CLOSED_IN_PROCESS.get();
    }

    /** How many connections this watch closed for not delivering a request in time. */
    public long closed() {
        return closed.get();
    }

    /** {@code base} (applied as it is) that also puts each connection accepted with it under this watch. */
    public SocketOptions watching(SocketOptions base) {
        return new Watching(Objects.requireNonNull(base, "base"), this);
    }

    /**
     * The filter that marks an HTTP connection's request delivered (HTTP/1 and HTTP/2 alike): at
     * once when it has no body, else when its answer is sent (the route has read the body by then).
     */
    public Filter httpFilter() {
        return (chain, req, res) -> {
            SocketAddress peer = req.remotePeer().address();
            if (req.content().hasEntity()) {
                res.whenSent(() -> delivered(peer));
            } else {
                delivered(peer);
            }
            chain.proceed();
        };
    }

    /** The interceptor that marks a gRPC connection's call delivered when its first message arrives. */
    public ServerInterceptor grpcInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                    ServerCallHandler<Q, A> next) {
                Optional<SocketAddress> peer = Optional.ofNullable(ServerContextKeys.CONNECTION_CONTEXT.get())
                        .map(GrpcConnectionContext::remotePeer).map(p -> p.address());
                ServerCall.Listener<Q> listener = next.startCall(call, headers);
                if (peer.isEmpty()) {
                    return listener;
                }
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onMessage(Q message) {
                        delivered(peer.get());
                        super.onMessage(message);
                    }
                };
            }
        };
    }

    /** Starts the clock of a just accepted connection. */
    void accepted(SocketChannel channel) {
        SocketAddress peer;
        try {
            peer = channel.getRemoteAddress();
        } catch (IOException e) {
            return; // already closed
        }
        if (peer == null) {
            return;
        }
        pending.put(peer, channel);
        later.execute(() -> expire(peer, channel));
    }

    /** The connection from {@code peer} delivered a request: it is no longer watched. */
    void delivered(SocketAddress peer) {
        if (!pending.isEmpty()) {
            pending.remove(peer);
        }
    }

    private void expire(SocketAddress peer, SocketChannel channel) {
        // Only this connection's entry: the peer's address may since belong to a new connection.
        if (pending.remove(peer, channel)) {
            try {
                channel.close(); // wakes the reader blocked on it; Helidon then ends the connection
                CLOSED_IN_PROCESS.incrementAndGet();
                report(peer, closed.incrementAndGet());
            } catch (IOException e) {
                // Closing a socket that failed is the end we wanted.
            }
        }
    }

    private void report(SocketAddress peer, long total) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closed the connection from " + peer + ": no whole request within "
                + requestTimeout + " of accept");
        if (warnsAt(total)) {
            LOG.log(System.Logger.Level.WARNING, "closed " + total + " connection(s) so far that had not finished their TLS"
                    + " handshake and first request within " + requestTimeout + " of accept (latest from " + peer
                    + "); if these are honest clients (many connecting at once to a busy host), raise"
                    + " connections.request-timeout");
        }
    }

    /** Whether the {@code total}th close gets a WARNING line: at powers of two below {@value #WARN_EVERY}, then every {@value #WARN_EVERY}th. */
    static boolean warnsAt(long total) {
        return total < WARN_EVERY ? Long.bitCount(total) == 1 : total % WARN_EVERY == 0;
    }

    /** Socket options that delegate to Helidon's and register each accepted channel. */
    private record Watching(SocketOptions base, SlowClients watch) implements SocketOptions {
        @Override
        public void configureSocket(SocketChannel channel) {
            base.configureSocket(channel);
            watch.accepted(channel);
        }

        @Override
        public void configureSocket(Socket socket) {
            base.configureSocket(socket);
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return base.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return base.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return base.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return base.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return base.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return base.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return base.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return base.tcpNoDelay();
        }
    }
}
