package dev.agentledger.bench;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.proto.v1.X509SvidIssued;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end append load over gRPC with mTLS against a running server (start one with
 * {@code ./agentledger serve --data DIR}); it authenticates with the operator credentials in DIR.
 * Closed loop: N submitters each wait for their answer before the next append. Open loop: a fixed
 * rate, latency counted from each append's scheduled time so a stall is not hidden, after a few seconds
 * at the same rate not counted (the JIT's warm-up). Also measures
 * the raw synced RocksDB rate at batch 256 on the same disk, in the same run, as the reference.
 * Each row also gives the CPU time per logged entry of this process and, given the server's process
 * id (Linux), of the server, over each row's measured window only (after its warm-up: 2 s for a
 * closed loop, {@value #OPEN_LOOP_WARMUP_SECONDS} s at the row's rate for an open loop), entries
 * counted in that window. Before the rows, closed loops at every submitter count warm both JVMs
 * up until the JIT compilers are quiet ({@link #warmUp}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.GrpcLoad DIR [HOST:PORT] [seconds] [submitters,...] [rate/s,...|-] [server pid|-] [connections, default 2] [x509-svid|tool-call, default x509-svid]
 * </pre>
 */
public final class GrpcLoad {
    /**
     * Connections (one {@link LedgerClient} each) unless given: the submitters are spread over them.
     * Fewer connections make bigger {@code AppendBatch} calls, and both sides' cost is mostly per
     * call: at 256 submitters 2 gave 44,800-48,700/s, 4 37,100-42,600/s and 8 33,300-37,200/s
     * (BENCHMARKS.md, server section, 2026-11-25 later); 1 was no better than 2.
     */
    private static final int CHANNELS = 2;
    /**
     * Where every submitter of every row (warm-up rounds included) gets its own generator, split on
     * the main thread: no two submitters append the same serials. A repeated serial replaces a
     * credential in the server's revocation index instead of adding one, so entries drawn from
     * the same seed in each row measured replacements, not growth.
     */
    private static final SplittableRandom SEEDS = new SplittableRandom(1);
    private static final int MAX_WARM_UP_ROUNDS = 20;

    private GrpcLoad() {}

    public static void main(String[] args) throws Exception {
        DataDir dir = new DataDir(Path.of(args[0]));
        HostPort address = HostPort.parse(args.length > 1 ? args[1] : "127.0.0.1:8443");
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int[] submitters = args.length > 3 ? Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 16, 256};
        int[] rates = args.length > 4 ? rates(args[4]) : new int[] {10_000};
        Optional<Long> serverPid = args.length > 5 && !args[5].equals("-") ? Optional.of(Long.parseLong(args[5])) : Optional.empty();
        int channels = args.length > 6 ? Integer.parseInt(args[6]) : CHANNELS;
        Entries entries = args.length > 7 ? Entries.parse(args[7]) : Entries.X509_SVID;
        X509Certificate ca = Pem.readCertificates(dir.caCertificate()).get(0);
        Credentials operator = dev.agentledger.server.bootstrap.Bootstrap.operator(dir);
        List<LedgerClient> clients = new ArrayList<>();
        for (int i = 0; i < channels; i++) {
            clients.add(LedgerClient.connect(address, ca, Optional.of(operator)));
        }
        try {
            System.out.printf(Locale.ROOT, "%-28s %10s %9s %9s %9s %14s %14s %18s%n", "load", "entries/s", "p50 ms", "p99 ms", "max ms",
                    "client µs/entry", "server µs/entry", "of which JIT c / s");
            warmUp(clients, entries, submitters, serverPid);
            for (int s : submitters) {
                Result r = closedLoop(clients, entries, s, seconds, serverPid);
                print("closed loop, " + s + " submitters", r, r.cpu());
            }
            for (int rate : rates) {
                Result r = openLoop(clients, entries, rate, seconds, serverPid);
                print("open loop at " + rate + "/s", r, r.cpu());
            }
            Path raw = Scratch.directory("grpc-load-raw");
            System.out.printf(Locale.ROOT, "raw synced RocksDB, batches of 256 x 256 B, same disk: %.0f entries/s%n",
                    LedgerLoad.rawSyncedRate(raw.resolve("db"), 256, 256, 5));
        } finally {
            clients.forEach(LedgerClient::close);
        }
    }

    /**
     * Rounds of 2-s closed loops at every submitter count until, in one round, the JIT compilers of
     * this process and of the server (when its id is known) took under 3 % of both processes' CPU
     * time, or {@value #MAX_WARM_UP_ROUNDS} rounds: with only each row's own 2-s warm-up, the
     * compilers still took about a quarter of the CPU time of the 256-submitter row.
     */
    private static void warmUp(List<LedgerClient> clients, Entries entries, int[] submitters, Optional<Long> serverPid) throws Exception {
        long self = ProcessHandle.current().pid();
        WarmUp.untilJitQuiet(() -> {
            for (int s : submitters) {
                closedLoop(clients, entries, s, 0, serverPid);
            }
        }, () -> jitNanos(self) + serverPid.map(GrpcLoad::jitNanos).orElse(0L),
                () -> RevocationFanout.processCpuNanos() + serverPid.map(RevocationFanout::cpuNanos).orElse(0L),
                "the CPU time", 0.03, MAX_WARM_UP_ROUNDS);
    }

    /** The open-loop rates: a comma-separated list, or {@code -} for none (closed loop only). */
    private static int[] rates(String list) {
        return list.equals("-") ? new int[0] : Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * Throughput, sorted latencies of the successful appends, how many failed, how many were logged
     * in the window {@code cpu} counts from, and the CPU times at its start.
     */
    record Result(double rate, long[] sortedNanos, long failed, long logged, Cpu cpu) {}

    /**
     * CPU time used so far by this process and by the server's, when its id is known, and the part
     * of each spent in JIT compiler threads.
     */
    private record Cpu(long client, long server, long clientJit, long serverJit, Optional<Long> serverPid) {
        static Cpu start(Optional<Long> serverPid) {
            return new Cpu(RevocationFanout.processCpuNanos(), serverPid.map(RevocationFanout::cpuNanos).orElse(0L),
                    jitNanos(ProcessHandle.current().pid()), serverPid.map(GrpcLoad::jitNanos).orElse(0L), serverPid);
        }

        /**
         * Microseconds of CPU per entry since the start: client, server (NaN without its id), then the
         * JIT compilers' part of each.
         */
        double[] perEntry(long entries) {
            double n = Math.max(1, entries) * 1e3;
            double server = serverPid.isEmpty() ? Double.NaN : (RevocationFanout.cpuNanos(serverPid.get()) - server()) / n;
            double serverJitPart = serverPid.isEmpty() ? Double.NaN : (jitNanos(serverPid.get()) - serverJit()) / n;
            return new double[] {(RevocationFanout.processCpuNanos() - client()) / n, server,
                    (jitNanos(ProcessHandle.current().pid()) - clientJit()) / n, serverJitPart};
        }
    }

    /**
     * CPU time (user + system) the JIT compiler threads of process {@code pid} have used, from
     * /proc (Linux). A lower bound: HotSpot ends idle compiler threads and their time leaves the sum
     * (exact with {@code -XX:-UseDynamicNumberOfCompilerThreads}).
     */
    static long jitNanos(long pid) {
        return threadsCpuNanos(pid, comm -> comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre"));
    }

    /** CPU time (user + system) of the live threads of process {@code pid} whose name (15 characters at most) {@code named} accepts, from /proc (Linux). */
    static long threadsCpuNanos(long pid, java.util.function.Predicate<String> named) {
        long total = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm"));
                    if (named.test(comm.strip())) {
                        String stat = Files.readString(task.resolve("stat"));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
                    }
                } catch (java.io.IOException ended) {
                    // The thread ended while being read: its time is no longer counted anyway.
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return total;
    }

    static Result closedLoop(List<LedgerClient> clients, Entries entries, int submitters, int seconds, Optional<Long> serverPid)
            throws InterruptedException {
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        long[][] latencies = new long[submitters][];
        AtomicLong counted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < submitters; t++) {
            int slot = t;
            LedgerClient client = clients.get(t % clients.size());
            SplittableRandom random = SEEDS.split();
            threads.add(Thread.ofVirtual().start(() -> {
                long[] samples = new long[1 << 16];
                int n = 0;
                for (long start = System.nanoTime(); start < end; start = System.nanoTime()) {
                    try {
                        client.append(entries.next(random), false);
                    } catch (StatusRuntimeException failure) {
                        // Counted and the first one shown, as in the open loop; the submitter goes on.
                        if (start >= warmupEnd) {
                            failed.incrementAndGet();
                        }
                        if (firstFailure.compareAndSet(null, failure)) {
                            System.err.println("first failure: " + failure);
                        }
                        continue;
                    }
                    long done = System.nanoTime();
                    if (start >= warmupEnd) {
                        counted.incrementAndGet();
                        if (n < samples.length) {
                            samples[n++] = done - start;
                        }
                    }
                }
                latencies[slot] = Arrays.copyOf(samples, n);
            }));
        }
        long toWarmupEnd = warmupEnd - System.nanoTime();
        if (toWarmupEnd > 0) {
            TimeUnit.NANOSECONDS.sleep(toWarmupEnd);
        }
        Cpu cpu = Cpu.start(serverPid);
        for (Thread t : threads) {
            t.join();
        }
        return new Result(counted.get() / (double) seconds,
                Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray(), failed.get(), counted.get(), cpu);
    }

    /** Seconds an open loop runs at its rate before its measured window, so the JIT has compiled its path. */
    static final int OPEN_LOOP_WARMUP_SECONDS = 5;

    /**
     * A fixed rate for {@value #OPEN_LOOP_WARMUP_SECONDS} s of warm-up and then {@code seconds}
     * measured: latencies, failures and CPU count only the appends scheduled in the measured window.
     */
    static Result openLoop(List<LedgerClient> clients, Entries entries, int rate, int seconds, Optional<Long> serverPid) throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        int warmup = (int) ((long) rate * OPEN_LOOP_WARMUP_SECONDS);
        int measured = (int) ((long) rate * seconds);
        long[] latencies = new long[measured];
        CountDownLatch done = new CountDownLatch(warmup + measured);
        SplittableRandom random = SEEDS.split();
        java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
        long begin = System.nanoTime() + 100_000_000L;
        Cpu cpu = null;
        for (int i = 0; i < warmup + measured; i++) {
            long scheduled = begin + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (i == warmup) {
                cpu = Cpu.start(serverPid);
            }
            int slot = i - warmup;
            // Through the client's coalescing path, as a server-side caller with many requests in
            // flight would append.
            clients.get(i % clients.size()).appendAsync(entries.next(random), false).whenComplete((response, failure) -> {
                if (slot >= 0) {
                    latencies[slot] = failure == null ? System.nanoTime() - scheduled : Long.MAX_VALUE;
                }
                if (failure != null && firstFailure.compareAndSet(null, failure)) {
                    System.err.println("first failure: " + failure);
                }
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        long[] sorted = Arrays.stream(latencies).filter(l -> l != 0 && l != Long.MAX_VALUE).sorted().toArray();
        return new Result(rate, sorted, latencies.length - sorted.length, sorted.length, cpu);
    }

    /**
     * What the load appends, each entry about 256 bytes logged: credentials, which the server's
     * revocation feed also indexes (each one, since these carry no validity, for the server's whole
     * life), or tool-call records, which it only reads.
     */
    enum Entries {
        /** X.509-SVID-issued entries: a random serial and a random 180-byte certificate stand-in, one of a million SPIFFE IDs. */
        X509_SVID,
        /** Tool-call records as the action proxy appends them: caller, method, path, status and both bodies' hashes. */
        TOOL_CALL;

        /** {@code x509-svid} or {@code tool-call}. */
        static Entries parse(String name) {
            return switch (name) {
                case "x509-svid" -> X509_SVID;
                case "tool-call" -> TOOL_CALL;
                default -> throw new IllegalArgumentException("entries: x509-svid or tool-call, not " + name);
            };
        }

        LogEntry next(SplittableRandom random) {
            byte[] serial = new byte[16];
            random.nextBytes(serial);
            String spiffeId = "spiffe://agentledger.local/agent/load/" + random.nextInt(1_000_000);
            LogEntry.Builder entry = LogEntry.newBuilder()
                    .setHeader(Header.newBuilder().setSchemaVersion(LogEntries.SCHEMA_VERSION).setRequestId("load"));
            if (this == X509_SVID) {
                byte[] der = new byte[180];
                random.nextBytes(der);
                return entry.setX509SvidIssued(X509SvidIssued.newBuilder()
                        .setSpiffeId(spiffeId).setSerial(ByteString.copyFrom(serial)).setCertificateDer(ByteString.copyFrom(der))).build();
            }
            byte[] hashes = new byte[64];
            random.nextBytes(hashes);
            return entry.setToolCallRecorded(ToolCallRecorded.newBuilder()
                    .setCallerSpiffeId(spiffeId).setCapabilityTokenId(HexFormat.of().formatHex(serial))
                    .setUpstream("spiffe://agentledger.local/tool/load").setMethod("POST")
                    .setPath("/invoices/" + random.nextInt(1_000_000) + "/payments")
                    .setRequestBodySha256(ByteString.copyFrom(hashes, 0, 32)).setResponseBodySha256(ByteString.copyFrom(hashes, 32, 32))
                    .setResponseStatus(200).setLatencyMicros(random.nextInt(100_000))).build();
        }
    }

    private static void print(String label, Result r, Cpu cpu) {
        long[] s = r.sortedNanos();
        double[] perEntry = cpu.perEntry(r.logged());
        System.out.printf(Locale.ROOT, "%-28s %10.0f %9.2f %9.2f %9.2f %14.1f %14.1f %18s%s%n", label, r.rate(),
                pct(s, 0.5) / 1e6, pct(s, 0.99) / 1e6, s.length == 0 ? 0 : s[s.length - 1] / 1e6, perEntry[0], perEntry[1],
                String.format(Locale.ROOT, "%.1f / %.1f", perEntry[2], perEntry[3]),
                r.failed() == 0 ? "" : "   (" + r.failed() + " failed)");
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
