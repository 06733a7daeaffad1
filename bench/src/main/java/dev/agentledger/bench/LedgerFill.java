package dev.agentledger.bench;

import dev.agentledger.issuer.CryptoProvider;
import dev.agentledger.ledger.IndexKey;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills a log with many entries under a small heap to show memory stays bounded: run it with
 * {@code -Xmx256m}; it prints the heap in use (after a GC) every million entries, then reopens the
 * log (which rechecks the stored nodes against the checkpoint and audits what was appended) and
 * proves the last entry; then prints what a start costs with nothing and with 1,000 entries
 * appended since the last audit, against the full audit. With {@code keys}, each entry is also
 * indexed by two keys of its own (a SPIFFE ID and a serial, as an X509-SVID's entry is), so the
 * lookup index's segments in memory are part of the heap measured.
 *
 * <pre>
 * java -Xmx256m -cp bench/target/benchmarks.jar dev.agentledger.bench.LedgerFill [entries] [dir] [keys]
 * </pre>
 */
public final class LedgerFill {
    private LedgerFill() {}

    public static void main(String[] args) throws Exception {
        long entries = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        Path dir = args.length > 1 ? Path.of(args[1]) : Scratch.directory("ledger-fill");
        SignerKey key = SignerKey.generate("fill.agentledger.local/log", SignatureType.ED25519);
        java.security.Provider signing = CryptoProvider.fastest(); // as the server signs its checkpoints
        boolean keys = args.length > 2 && args[2].equals("keys");
        LedgerConfig config = LedgerConfig.of(dir, key.name(), Ed25519NoteSigner.create(key, signing),
                Ed25519NoteVerifier.create(key.verifierKey(), signing));
        if (keys) {
            config = config.withIndexer(LedgerFill::twoKeys);
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(Locale.ROOT, "filling %s with %,d entries of 256 bytes%s; max heap %d MiB%n",
                dir, entries, keys ? ", two index keys each" : "", Runtime.getRuntime().maxMemory() >> 20);
        long start = System.nanoTime();
        try (Ledger ledger = Ledger.open(config)) {
            AtomicLong next = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 256; t++) {
                SplittableRandom random = new SplittableRandom(t);
                threads.add(Thread.ofPlatform().start(() -> {
                    byte[] entry = new byte[256];
                    long n;
                    while ((n = next.getAndIncrement()) < entries) {
                        random.nextBytes(entry);
                        try {
                            ledger.append(entry, false).get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        if ((n + 1) % 1_000_000 == 0) {
                            System.gc();
                            System.out.printf(Locale.ROOT, "%,d entries, %.0f s, heap in use %d MiB%n",
                                    n + 1, (System.nanoTime() - start) / 1e9, memory.getHeapMemoryUsage().getUsed() >> 20);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        long opened = System.nanoTime();
        try (Ledger reopened = Ledger.open(config)) {
            long size = reopened.checkpoint().size();
            System.out.printf(Locale.ROOT, "reopened at size %,d in %d ms (write-ahead log replayed, every entry audited:"
                    + " none was since the log was created)%n", size, (System.nanoTime() - opened) / 1_000_000);
            byte[] last = reopened.entry(size - 1).orElseThrow();
            reopened.inclusionProof(size - 1, size).verify(Rfc6962.hashLeaf(last), reopened.checkpoint().checkpoint().root());
            System.gc();
            System.out.printf(Locale.ROOT, "last entry proven; heap in use %d MiB; %.0f s in all%n",
                    memory.getHeapMemoryUsage().getUsed() >> 20, (System.nanoTime() - start) / 1e9);
        }
        startupTable(config, dir);
    }

    /** A SPIFFE ID and a serial made of the entry's first 32 (random) bytes: every key new. */
    private static List<IndexKey> twoKeys(byte[] entry) {
        HexFormat hex = HexFormat.of();
        return List.of(
                new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://fill.agentledger.local/agent/" + hex.formatHex(entry, 0, 16)),
                new IndexKey(IndexKey.Kind.SERIAL, hex.formatHex(entry, 16, 32)));
    }

    /**
     * The cost of a start as the log grows: opens with nothing and with 1,000 entries appended since
     * the last audit, and the full audit that every open ran before opens became incremental (an
     * open then cost about the open with nothing new plus the full audit). Best of three each.
     */
    private static void startupTable(LedgerConfig config, Path dir) throws Exception {
        long nothingNew = Long.MAX_VALUE;
        long thousandNew = Long.MAX_VALUE;
        long full = Long.MAX_VALUE;
        long size = 0;
        byte[] entry = new byte[256];
        SplittableRandom random = new SplittableRandom(-1);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            try (Ledger ledger = Ledger.open(config)) {
                nothingNew = Math.min(nothingNew, System.nanoTime() - t0);
                List<java.util.concurrent.CompletableFuture<?>> appends = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    random.nextBytes(entry);
                    appends.add(ledger.append(entry, false));
                }
                appends.forEach(java.util.concurrent.CompletableFuture::join);
            }
            long t1 = System.nanoTime();
            try (Ledger ledger = Ledger.open(config)) {
                thousandNew = Math.min(thousandNew, System.nanoTime() - t1);
                size = ledger.checkpoint().size();
            }
            long t2 = System.nanoTime();
            Ledger.audit(dir, config.origin(), config.verifier());
            full = Math.min(full, System.nanoTime() - t2);
        }
        System.out.printf(Locale.ROOT, "%n| start of a log of ~%,d entries | audited at start | time (best of 3) |%n", size);
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| open, nothing appended since the last audit | 0 | %d ms |%n", nothingNew / 1_000_000);
        System.out.printf(Locale.ROOT, "| open, 1,000 entries appended since | 1,000 | %d ms |%n", thousandNew / 1_000_000);
        System.out.printf(Locale.ROOT, "| full audit (`agentledger log audit`; what every open added before) | %,d | %d ms |%n",
                size, full / 1_000_000);
        System.out.printf(Locale.ROOT, "| open as before (nothing new + full audit) | %,d | %d ms |%n", size,
                (nothingNew + full) / 1_000_000);
    }
}
