package dev.agentledger.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ObjIntConsumer;
import java.util.stream.Stream;

/**
 * Revocation fan-out against a running server ({@code ./agentledger serve --data DIR}): one process
 * holds N subscribed streams (gRPC WatchRevocations over mTLS, or the public SSE feed), then
 * revokes at a fixed rate for a number of seconds with the operator credentials in DIR, and
 * measures, for every (revocation, subscriber) pair, the time from the moment the revoke request
 * is sent to the subscriber's receipt of the event: p50, p99, max. Also reports this process's
 * heap per subscriber and, given the server's pid, the server's heap per subscriber (via jcmd).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.RevocationFanout DIR \
 *     [PRIVATE_HOST:PORT] [PUBLIC_URL] [subscribers] [seconds] [rate/s] [grpc|grpc1|sse] [server pid] [connections] [wave] [warm-up seconds]
 * </pre>
 *
 * <p>With {@code warm-up seconds} above 0 (default 0), the streams first get that many seconds of
 * revocations at the same rate, not measured, and every subscriber receives them all before the
 * measured revocations start: both JVMs then compile the fan-out's hot paths before the clock runs.
 * Without it, the JIT compilers (C1 and C2) took about 40 % of both processes' CPU in the first
 * 10 s of revoking (perf, 2026-11-24), which a server that has run for minutes no longer pays.
 *
 * <p>The gRPC streams open one per connection first (each connection's TLS handshake and first
 * call, which the server's {@code connections.request-timeout} bounds from accept), then the rest
 * in waves of {@code wave} (default 1,000), each live before the next; an opening that fails is
 * retried with a backoff, so the run measures the fan-out, not a thundering herd of openings.
 *
 * <p>The gRPC watchers share {@code connections} HTTP/2 connections (default 16), round robin; real
 * verifiers each hold their own, which costs both sides a TLS session and a write per connection.
 *
 * <p>{@code grpc} watches asking for several events per message (as current watchers do),
 * {@code grpc1} one event per message (as watchers from before that field). Also prints the CPU
 * time both processes spent per delivery while revoking. The subscribers only read each event's
 * token id: they do not verify proofs (see BENCHMARKS.md for what a verifying subscriber adds).
 */
public final class RevocationFanout {
    /** HTTP/2 connections the gRPC watchers share unless an argument says otherwise. */
    private static final int CHANNELS = 16;
    /** gRPC streams opened at once, after the first of each connection, unless an argument says otherwise. */
    private static final int WAVE = 1000;
    /** A failed opening is retried after this, doubled per failure up to 8 s. */
    private static final long RETRY_MILLIS = 250;
    /** Latency histogram: 0.1 ms buckets up to 60 s. */
    private static final long BUCKET_NANOS = 100_000;
    private static final int BUCKETS = 600_000;
    private static final String TAG = "fanout-";
    /** Token ids of the warm-up revocations: received, counted apart, never measured. */
    private static final String WARM_UP_TAG = "warmup-";

    private final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    private final AtomicLong received = new AtomicLong();
    /** Warm-up events received (all subscribers together). */
    private final AtomicLong warmUpReceived = new AtomicLong();
    /** Messages that carried events (several events may share one), while revoking. */
    private final AtomicLong eventMessages = new AtomicLong();
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong cutOff = new AtomicLong();
    private volatile long[] sentAt = new long[0];
    private volatile boolean finished;
    /** Streams that got their first message (a heartbeat), each counted once however often it was retried. */
    private final java.util.concurrent.atomic.AtomicInteger liveStreams = new java.util.concurrent.atomic.AtomicInteger();
    /** Stream openings that failed and were retried (before the revocations start). */
    private final AtomicLong retries = new AtomicLong();
    private final int wave;
    private final int warmUpSeconds;
    private volatile boolean openingDone;

    private RevocationFanout(int wave, int warmUpSeconds) {
        this.wave = wave;
        this.warmUpSeconds = warmUpSeconds;
    }

    public static void main(String[] args) throws Exception {
        DataDir dir = new DataDir(Path.of(args[0]));
        HostPort address = HostPort.parse(args.length > 1 ? args[1] : "127.0.0.1:8443");
        String publicUrl = args.length > 2 ? args[2] : "http://127.0.0.1:8080";
        int subscribers = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;
        int rate = args.length > 5 ? Integer.parseInt(args[5]) : 100;
        String transport = args.length > 6 ? args[6] : "grpc";
        if (!List.of("grpc", "grpc1", "sse").contains(transport)) {
            throw new IllegalArgumentException("transport " + transport + ": want grpc, grpc1 or sse");
        }
        Optional<Long> serverPid = args.length > 7 && !args[7].equals("-") ? Optional.of(Long.parseLong(args[7])) : Optional.empty();
        int connections = args.length > 8 ? Integer.parseInt(args[8]) : CHANNELS;
        int wave = args.length > 9 ? Integer.parseInt(args[9]) : WAVE;
        int warmUp = args.length > 10 ? Integer.parseInt(args[10]) : 0;
        X509Certificate ca = Pem.readCertificates(dir.caCertificate()).get(0);
        Credentials operator = dev.agentledger.server.bootstrap.Bootstrap.operator(dir);
        LedgerClient revoker = LedgerClient.connect(address, ca, Optional.of(operator));
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < Math.min(connections, subscribers); i++) {
            channels.add(watchChannel(address, ca, operator));
        }
        new RevocationFanout(wave, warmUp).run(revoker, channels, publicUrl, subscribers, seconds, rate, transport, serverPid);
        revoker.close();
        System.exit(0);
    }

    /**
     * A channel for watchers, as LedgerClient makes one, but with a fixed 1 MiB HTTP/2 flow-control
     * window when {@code -Dfanout.fixedWindow=true} (grpc-java's window auto-tuning off).
     */
    private static Channel watchChannel(HostPort address, X509Certificate ca, Credentials operator) throws IOException {
        if (!Boolean.getBoolean("fanout.fixedWindow")) {
            return LedgerClient.connect(address, ca, Optional.of(operator)).channel();
        }
        var credentials = io.grpc.TlsChannelCredentials.newBuilder()
                .trustManager(ascii(Pem.certificates(List.of(ca))))
                .keyManager(ascii(Pem.certificates(operator.chain())), ascii(Pem.privateKey(operator.key())))
                .build();
        return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(address.connectHost(), address.port(), credentials)
                .flowControlWindow(1 << 20).build();
    }

    private static java.io.InputStream ascii(String text) {
        return new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private void run(LedgerClient revoker, List<Channel> channels, String publicUrl, int subscribers, int seconds, int rate, String transport,
            Optional<Long> serverPid) throws Exception {
        boolean sse = transport.equals("sse");
        var from = RevocationServiceGrpc.newBlockingStub(revoker.channel()).revoke(request("fanout-start")).getEvent();
        long heapBefore = usedHeap();
        long serverHeapBefore = serverPid.map(RevocationFanout::serverHeap).orElse(0L);
        HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()).build();
        long opening = System.nanoTime();
        if (sse) {
            for (int i = 0; i < subscribers; i++) {
                subscribeSse(http, publicUrl, from.getSequence());
            }
            awaitLive(subscribers, 120);
        } else {
            // First one stream per connection: its TLS handshake and first call, alone, well within
            // the server's request timeout; then the rest in waves, each live before the next.
            int first = Math.min(channels.size(), subscribers);
            for (int i = 0; i < first; i++) {
                subscribeGrpc(channels.get(i), from.getSequence(), transport.equals("grpc"), new java.util.concurrent.atomic.AtomicBoolean(), 0);
            }
            awaitLive(first, 60);
            System.out.printf(Locale.ROOT, "%d connections ready in %.1f s%n", first, (System.nanoTime() - opening) / 1e9);
            for (int at = first; at < subscribers; at += wave) {
                int end = Math.min(subscribers, at + wave);
                for (int i = at; i < end; i++) {
                    subscribeGrpc(channels.get(i % channels.size()), from.getSequence(), transport.equals("grpc"),
                            new java.util.concurrent.atomic.AtomicBoolean(), 0);
                }
                awaitLive(end, 60);
            }
        }
        if (liveStreams.get() < subscribers) {
            System.out.println("only " + liveStreams.get() + " of " + subscribers + " streams went live");
        }
        openingDone = true;
        double openSeconds = (System.nanoTime() - opening) / 1e9;
        long heapAfter = usedHeap();
        long serverHeapAfter = serverPid.map(RevocationFanout::serverHeap).orElse(0L);

        var stub = RevocationServiceGrpc.newFutureStub(revoker.channel());
        if (warmUpSeconds > 0) {
            warmUp(stub, rate, subscribers);
        }
        int total = seconds * rate;
        sentAt = new long[total];
        eventMessages.set(0);
        long benchCpuBefore = processCpuNanos();
        long serverCpuBefore = serverPid.map(RevocationFanout::cpuNanos).orElse(0L);
        long start = System.nanoTime();
        revokeAtRate(stub, TAG, total, rate, (answer, n) -> {
            sentAt[n] = System.nanoTime();
            answer.addListener(() -> {
                try {
                    answer.get();
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
            }, MoreExecutors.directExecutor());
        });
        long expected = (long) total * subscribers;
        awaitDeliveries(received, expected, 30);
        finished = true;
        double wall = (System.nanoTime() - start) / 1e9;
        long benchCpu = processCpuNanos() - benchCpuBefore;
        long serverCpu = serverPid.map(RevocationFanout::cpuNanos).orElse(0L) - serverCpuBefore;
        String name = switch (transport) {
            case "sse" -> "SSE";
            case "grpc1" -> "gRPC (one event per message)";
            default -> "gRPC";
        };
        System.out.printf(Locale.ROOT, "%d %s subscribers on %d connections (open in %.1f s), %d revocations at %d/s: received %d of %d, "
                        + "%d revoke failures, %d streams cut off%n", subscribers, name, sse ? subscribers : channels.size(), openSeconds,
                total, rate, received.get(), expected, failures.get(), cutOff.get());
        System.out.printf(Locale.ROOT, "streams live: %d of %d (opened in waves of %d after one per connection; %d openings retried)%n",
                liveStreams.get(), subscribers, wave, retries.get());
        System.out.printf(Locale.ROOT, "CPU over %.1f s from the first revoke: bench %.1f s (%.1f µs per delivery)%s%n",
                wall, benchCpu / 1e9, benchCpu / 1e3 / Math.max(1, received.get()),
                serverPid.isPresent() ? String.format(Locale.ROOT, ", server %.1f s (%.1f µs per delivery)", serverCpu / 1e9,
                        serverCpu / 1e3 / Math.max(1, received.get())) : "");
        if (!sse) {
            System.out.printf(Locale.ROOT, "event messages received: %d, %.2f events per message%n", eventMessages.get(),
                    received.get() / (double) Math.max(1, eventMessages.get()));
        }
        System.out.printf(Locale.ROOT, "revoke sent -> subscriber received: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                percentile(0.50) / 1e6, percentile(0.99) / 1e6, max.get() / 1e6);
        System.out.printf(Locale.ROOT, "bench process heap per subscriber: %.1f KiB%n",
                (heapAfter - heapBefore) / 1024.0 / subscribers);
        serverPid.ifPresent(pid -> System.out.printf(Locale.ROOT, "server heap per subscriber (after full GCs): %.1f KiB%n",
                (serverHeapAfter - serverHeapBefore) / 1024.0 / subscribers));
    }

    /**
     * Revokes at {@code rate} for the warm-up seconds, then waits until every subscriber has
     * received every warm-up event (at most 60 s), so the measured revocations start on an empty
     * backlog.
     */
    private void warmUp(RevocationServiceGrpc.RevocationServiceFutureStub stub, int rate, int subscribers) throws InterruptedException {
        int total = warmUpSeconds * rate;
        long start = System.nanoTime();
        revokeAtRate(stub, WARM_UP_TAG, total, rate, (answer, n) -> {});
        long expected = (long) total * subscribers;
        awaitDeliveries(warmUpReceived, expected, 60);
        System.out.printf(Locale.ROOT, "warm-up: %d revocations at %d/s, %d of %d deliveries in %.1f s%n", total, rate,
                warmUpReceived.get(), expected, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Revokes token ids {@code tag + n}, {@code n} from 0 to {@code total - 1}, each when it is due
     * at {@code rate} a second (a late one goes at once), handing each to {@code sent} as it goes.
     */
    private static void revokeAtRate(RevocationServiceGrpc.RevocationServiceFutureStub stub, String tag, int total, int rate,
            ObjIntConsumer<ListenableFuture<?>> sent) throws InterruptedException {
        long start = System.nanoTime();
        for (int n = 0; n < total; n++) {
            long wait = start + n * 1_000_000_000L / rate - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            sent.accept(stub.withDeadlineAfter(30, TimeUnit.SECONDS).revoke(request(tag + n)), n);
        }
    }

    /** Waits until {@code delivered} reaches {@code expected}, for at most {@code seconds}. */
    private static void awaitDeliveries(AtomicLong delivered, long expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (delivered.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static RevokeRequest request(String tokenId) {
        return RevokeRequest.newBuilder().setRevocation(Revoked.newBuilder().setTokenId(tokenId)
                .setReason(RevocationReason.REVOCATION_REASON_TASK_COMPLETED)).build();
    }

    /** Waits until {@code target} streams are live, at most {@code seconds}. */
    private void awaitLive(int target, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (liveStreams.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /**
     * Opens one watch; while the streams are still opening, a failed one (its connection refused or
     * dropped) is opened again after a backoff, on a channel that waits for its connection.
     */
    private void subscribeGrpc(Channel channel, long from, boolean severalEvents, java.util.concurrent.atomic.AtomicBoolean counted,
            int attempt) {
        RevocationServiceGrpc.newStub(channel).withWaitForReady().watchRevocations(
                WatchRevocationsRequest.newBuilder().setFromSequence(from).setSeveralEvents(severalEvents).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WatchRevocationsResponse message) {
                        if (message.hasEvent()) {
                            eventMessages.incrementAndGet();
                            record(message.getEvent().getRevoked().getTokenId());
                        } else if (message.getEventsCount() > 0) {
                            eventMessages.incrementAndGet();
                            message.getEventsList().forEach(e -> record(e.getRevoked().getTokenId()));
                        } else if (!counted.getAndSet(true)) {
                            liveStreams.incrementAndGet();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (!openingDone && !counted.get()) {
                            if (retries.incrementAndGet() <= 3) {
                                System.out.println("stream failed while opening, retrying: " + t + causes(t));
                            }
                            long delay = Math.min(8_000, RETRY_MILLIS << Math.min(attempt, 5));
                            java.util.concurrent.CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                                    .execute(() -> subscribeGrpc(channel, from, severalEvents, counted, attempt + 1));
                        } else if (!finished && cutOff.incrementAndGet() <= 3) {
                            System.out.println("stream failed: " + t + causes(t));
                        }
                    }

                    @Override
                    public void onCompleted() {}
                });
    }

    private static String causes(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
            out.append("; caused by ").append(c);
        }
        return out.toString();
    }

    private void subscribeSse(HttpClient http, String publicUrl, long from) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(publicUrl + "/api/v1/revocations/events?from=" + from)).build();
        Thread.ofVirtual().start(() -> {
            try {
                HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
                boolean counted = false;
                String event = "";
                for (var it = response.body().iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (line.startsWith("event:")) {
                        event = line.substring(6).strip();
                    } else if (line.startsWith("data:") && event.equals("revocation")) {
                        int at = line.indexOf("\"token_id\":\"");
                        if (at >= 0) {
                            int startOfId = at + "\"token_id\":\"".length();
                            record(line.substring(startOfId, line.indexOf('"', startOfId)));
                        }
                    } else if (line.startsWith("data:") && event.equals("heartbeat") && !counted) {
                        counted = true;
                        liveStreams.incrementAndGet();
                    }
                }
                if (!finished) {
                    cutOff.incrementAndGet(); // The server closed it (a last "closed" event).
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                if (!finished && cutOff.incrementAndGet() <= 3) {
                    System.out.println("stream failed: " + e);
                }
            }
        });
    }

    private void record(String tokenId) {
        long now = System.nanoTime();
        if (!tokenId.startsWith(TAG)) {
            if (tokenId.startsWith(WARM_UP_TAG)) {
                warmUpReceived.incrementAndGet();
            }
            return;
        }
        long[] sent = sentAt;
        int n = Integer.parseInt(tokenId.substring(TAG.length()));
        if (n >= sent.length || sent[n] == 0) {
            return;
        }
        long latency = now - sent[n];
        histogram.incrementAndGet((int) Math.min(BUCKETS - 1, latency / BUCKET_NANOS));
        max.accumulateAndGet(latency, Math::max);
        received.incrementAndGet();
    }

    /** The upper edge of the histogram bucket holding quantile {@code q}, in ns. */
    private long percentile(double q) {
        long count = received.get();
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram.get(i);
            if (seen >= rank && rank > 0) {
                return (i + 1) * BUCKET_NANOS;
            }
        }
        return 0;
    }

    /** CPU time this process used so far, all threads. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time (user + system) process {@code pid} used so far, from /proc (Linux; clock ticks of 10 ms). */
    static long cpuNanos(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of proc(5), utime and stime, counted here from field 3 (state).
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    /** Heap in use in the server's JVM after a full GC, read with the jcmd next to this JVM's java. */
    private static long serverHeap(long pid) {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
            var used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
            if (!used.find()) {
                throw new IOException("no heap figure in: " + info);
            }
            return Long.parseLong(used.group(1)) * 1024;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        process.waitFor();
        return out;
    }
}
