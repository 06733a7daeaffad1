package dev.agentledger.bench;

import dev.agentledger.issuer.CryptoProvider;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LedgerMetrics;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * In-process append load on the ledger (sequencer, store, checkpoint signing and proofs; no
 * network), beside the raw synced RocksDB write rate at the batch size the ledger actually used,
 * measured in the same run on the same disk.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.LedgerLoad [seconds] [submitters,...] [sizes,...] [dir]
 * </pre>
 */
public final class LedgerLoad {
    private static final int MAX_WARM_UP_ROUNDS = 20;

    private LedgerLoad() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int[] submitters = args.length > 1 ? ints(args[1]) : new int[] {1, 16, 256};
        int[] sizes = args.length > 2 ? ints(args[2]) : new int[] {256, 4096};
        Path root = args.length > 3 ? Path.of(args[3]) : Scratch.directory("ledger-load");
        RocksDB.loadLibrary();
        System.out.printf(Locale.ROOT, "%-11s %6s %12s %9s %9s %9s %10s %14s %7s %10s %10s %10s %10s %10s%n",
                "submitters", "bytes", "entries/s", "p50 ms", "p99 ms", "max ms", "avg batch", "raw at batch/s", "ratio",
                "seq us/e", "resp us/e", "sign us/e", "cpu us/e", "rdb us/e");
        warmUp(root, submitters, sizes);
        int run = 0;
        for (int size : sizes) {
            for (int s : submitters) {
                Result r = runLedger(root.resolve("ledger-" + run), s, size, seconds);
                int batch = (int) Math.max(1, Math.round(r.meanBatch()));
                double raw = rawSyncedRate(root.resolve("raw-" + run), batch, size, Math.max(3, seconds / 2));
                run++;
                System.out.printf(Locale.ROOT, "%-11d %6d %12.0f %9.2f %9.2f %9.2f %10.1f %14.0f %7.2f %10.2f %10.2f %10.2f %10.2f %10.2f%n",
                        s, size, r.rate(), r.p50() / 1e6, r.p99() / 1e6, r.max() / 1e6, r.meanBatch(), raw, r.rate() / raw,
                        r.sequencerMicros(), r.responderMicros(), r.signerMicros(), r.processMicros(), r.rocksDbMicros());
            }
        }
        Scratch.deleteTree(root);
    }

    /**
     * Rounds of 2-s runs at every submitter count and size until, in one round, the JIT compilers
     * took under 3 % of the process's CPU time, or {@value #MAX_WARM_UP_ROUNDS} rounds: each row's
     * own 2-s warm-up left them compiling through the first rows, on the cores the ledger needs.
     */
    private static void warmUp(Path root, int[] submitters, int[] sizes) throws Exception {
        long self = ProcessHandle.current().pid();
        WarmUp.untilJitQuiet(() -> {
            for (int size : sizes) {
                for (int s : submitters) {
                    Path dir = root.resolve("warm-up");
                    runLedger(dir, s, size, 0);
                    Scratch.deleteTree(dir);
                }
            }
        }, () -> GrpcLoad.jitNanos(self), RevocationFanout::processCpuNanos, "the CPU time", 0.03, MAX_WARM_UP_ROUNDS);
    }

    /**
     * CPU per entry of the ledger's threads: sequencer, responder, and checkpoint signer (0 where a
     * version has none); then of the whole process less its JIT compilers (submitters included), and
     * of RocksDB's own background threads (memtable flushes, compactions) within it.
     */
    record Result(double rate, long p50, long p99, long max, double meanBatch, double sequencerMicros, double responderMicros,
            double signerMicros, double processMicros, double rocksDbMicros) {}

    /** CPU time so far of RocksDB's background threads ({@code rocksdb:high}, {@code rocksdb:low}) in this process. */
    private static long rocksDbNanos() {
        return GrpcLoad.threadsCpuNanos(ProcessHandle.current().pid(), comm -> comm.startsWith("rocksdb:"));
    }

    /** CPU time of this process less its JIT compiler threads. */
    private static long processNanos() {
        return RevocationFanout.processCpuNanos() - GrpcLoad.jitNanos(ProcessHandle.current().pid());
    }

    /** CPU time so far of the live thread named {@code name}, in nanoseconds, or 0. */
    private static long cpuNanos(String name) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return mx.getThreadCpuTime(t.threadId());
            }
        }
        return 0;
    }

    static Result runLedger(Path dir, int submitters, int size, int seconds) throws Exception {
        SignerKey key = SignerKey.generate("bench.agentledger.local/log", SignatureType.ED25519);
        java.security.Provider signing = CryptoProvider.fastest(); // as the server signs its checkpoints
        AtomicLong batches = new AtomicLong();
        AtomicLong committed = new AtomicLong();
        AtomicLong writeNanos = new AtomicLong();
        LedgerMetrics metrics = new LedgerMetrics() {
            @Override
            public void committed(int entries, long syncNanos) {
                batches.incrementAndGet();
                committed.addAndGet(entries);
                writeNanos.addAndGet(syncNanos);
            }
        };
        LedgerConfig config = LedgerConfig.of(dir, key.name(), Ed25519NoteSigner.create(key, signing),
                        Ed25519NoteVerifier.create(key.verifierKey(), signing))
                .withMetrics(metrics);
        try (Ledger ledger = Ledger.open(config)) {
            long warmupEnd = System.nanoTime() + 2_000_000_000L;
            long end = warmupEnd + seconds * 1_000_000_000L;
            long[][] latencies = new long[submitters][];
            List<Thread> threads = new ArrayList<>();
            AtomicLong counted = new AtomicLong();
            long[] batchesAtStart = new long[2];
            for (int t = 0; t < submitters; t++) {
                int slot = t;
                SplittableRandom random = new SplittableRandom(t);
                // Virtual threads, as the server runs each request on one.
                threads.add(Thread.ofVirtual().start(() -> {
                    long[] samples = new long[1 << 16];
                    int[] n = {0};
                    byte[] entry = new byte[size];
                    while (true) {
                        random.nextBytes(entry);
                        long start = System.nanoTime();
                        if (start > end) {
                            break;
                        }
                        try {
                            Appended a = ledger.append(entry, false).get();
                            if (a.index() < 0) {
                                throw new IllegalStateException();
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        long done = System.nanoTime();
                        if (start >= warmupEnd) {
                            counted.incrementAndGet();
                            if (n[0] < samples.length) {
                                samples[n[0]++] = done - start;
                            }
                        }
                    }
                    latencies[slot] = Arrays.copyOf(samples, n[0]);
                }));
            }
            Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000));
            batchesAtStart[0] = batches.get();
            batchesAtStart[1] = committed.get();
            long sequencerStart = cpuNanos("ledger-sequencer");
            long writeStart = writeNanos.get();
            long responderStart = cpuNanos("ledger-responder");
            long signerStart = cpuNanos("ledger-signer");
            long processStart = processNanos();
            long rocksDbStart = rocksDbNanos();
            for (Thread t : threads) {
                t.join();
            }
            double perEntry = 1e3 * Math.max(1, committed.get() - batchesAtStart[1]);
            double sequencerMicros = (cpuNanos("ledger-sequencer") - sequencerStart) / perEntry;
            double responderMicros = (cpuNanos("ledger-responder") - responderStart) / perEntry;
            double signerMicros = (cpuNanos("ledger-signer") - signerStart) / perEntry;
            double processMicros = (processNanos() - processStart) / perEntry;
            double rocksDbMicros = (rocksDbNanos() - rocksDbStart) / perEntry;
            System.out.printf(Locale.ROOT, "  (synced write: %.2f us wall per entry)%n", (writeNanos.get() - writeStart) / perEntry);
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            double meanBatch = (double) (committed.get() - batchesAtStart[1]) / Math.max(1, batches.get() - batchesAtStart[0]);
            return new Result(counted.get() / (double) seconds, pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1], meanBatch,
                    sequencerMicros, responderMicros, signerMicros, processMicros, rocksDbMicros);
        } finally {
            Scratch.deleteTree(dir);
        }
    }

    /** Synced WriteBatches of {@code batch} random values of {@code size} bytes; entries per second. */
    static double rawSyncedRate(Path dir, int batch, int size, int seconds) throws RocksDBException, IOException {
        Files.createDirectories(dir);
        SplittableRandom random = new SplittableRandom(1);
        byte[] value = new byte[size];
        long written = 0;
        try (Options options = new Options().setCreateIfMissing(true);
                WriteOptions sync = new WriteOptions().setSync(true);
                RocksDB db = RocksDB.open(options, dir.toString())) {
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long index = 0;
            while (System.nanoTime() < end) {
                try (WriteBatch wb = new WriteBatch()) {
                    for (int i = 0; i < batch; i++) {
                        random.nextBytes(value);
                        wb.put(ByteBuffer.allocate(8).putLong(index++).array(), value);
                    }
                    db.write(sync, wb);
                }
                written += batch;
            }
            return written / ((System.nanoTime() - start) / 1e9);
        } finally {
            Scratch.deleteTree(dir);
        }
    }

    private static long pct(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
