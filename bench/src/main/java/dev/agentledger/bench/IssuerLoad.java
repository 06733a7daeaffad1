package dev.agentledger.bench;

import dev.agentledger.issuer.DelegationRequest;
import dev.agentledger.issuer.Delegations;
import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.IssuerConfig;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.issuer.TokenExchange;
import dev.agentledger.issuer.TokenExchangeRequest;
import dev.agentledger.issuer.WorkloadSpec;
import dev.agentledger.issuer.policy.CedarPolicyGate;
import dev.agentledger.issuer.policy.PolicyConfig;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerConfig;
import dev.agentledger.ledger.LogEntryIndexer;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import dev.agentledger.issuer.CryptoProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * In-process issuance load, every credential logged with its proof before it returns: X509-SVIDs
 * from CSRs, JWT-SVIDs, and RFC 8693 token exchanges decided by the embedded Cedar policy; beside
 * the raw P-256 (SHA256withECDSA) signing and verifying rates on all cores of the JDK's SunEC, of
 * BouncyCastle and of Conscrypt (when its native library loads here), measured in the same run
 * (the raw limit is the fastest provider's).
 *
 * <p>Closed loop first ({@code callers} virtual threads, each calling again as soon as it has its
 * answer: the most the issuer does). Then, given {@code X509RATE:EXCHANGERATE}, open loop: requests
 * started at that fixed offered rate whatever the answers do, each timed from when it was due to
 * start (so a stall counts for every request it delays), for the latency at a given load.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.IssuerLoad [seconds] [callers] [dir|-] [X509RATE:EXCHANGERATE|-] [phases]
 * </pre>
 *
 * <p>{@code phases}: a comma-separated subset of {@code raw,x509,jwt,exchange} (all by default),
 * for example to profile one phase alone. A rate of 0 skips that open loop (e.g. {@code 0:2500}
 * for the exchanges' alone).
 */
public final class IssuerLoad {
    private IssuerLoad() {}

    /** One measured operation. */
    private interface Operation {
        void run(int caller, long i) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Path dir = args.length > 2 && !args[2].equals("-") ? Path.of(args[2]) : Scratch.directory("issuer-load");
        double[] openRates = args.length > 3 && !args[3].equals("-")
                ? Arrays.stream(args[3].split(":")).mapToDouble(Double::parseDouble).toArray() : null;
        java.util.Set<String> phases = java.util.Set.of((args.length > 4 ? args[4] : "raw,x509,jwt,exchange").split(","));
        int cores = Runtime.getRuntime().availableProcessors();
        int rawSeconds = Math.min(seconds, 5);
        java.security.Provider bouncyCastle = CryptoProvider.bouncyCastle();
        boolean measureRaw = phases.contains("raw");
        double jdkSign = measureRaw ? rawSignature(rawSeconds, cores, false, null) : Double.NaN;
        double jdkVerify = measureRaw ? rawSignature(rawSeconds, cores, true, null) : Double.NaN;
        double bcSign = measureRaw ? rawSignature(rawSeconds, cores, false, bouncyCastle) : Double.NaN;
        double bcVerify = measureRaw ? rawSignature(rawSeconds, cores, true, bouncyCastle) : Double.NaN;
        double bcVerifyNewKey = measureRaw ? rawVerifyNewKeys(rawSeconds, cores, bouncyCastle) : Double.NaN;
        java.security.Provider fastest = CryptoProvider.fastest();
        boolean conscrypt = measureRaw && fastest != bouncyCastle;
        double cSign = conscrypt ? rawSignature(rawSeconds, cores, false, fastest) : Double.NaN;
        double cVerify = conscrypt ? rawSignature(rawSeconds, cores, true, fastest) : Double.NaN;
        double cVerifyNewKey = conscrypt ? rawVerifyNewKeys(rawSeconds, cores, fastest) : Double.NaN;
        double raw = max(jdkSign, bcSign, cSign);
        // A CSR brings a key never seen before: BouncyCastle's verify then has no precomputed table for it.
        double rawVerify = max(jdkVerify, bcVerifyNewKey, cVerifyNewKey);
        System.out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
        System.out.printf(Locale.ROOT, "| raw P-256 sign / verify, %d threads, JDK SunEC | %,.0f/s / %,.0f/s |%n", cores, jdkSign, jdkVerify);
        System.out.printf(Locale.ROOT, "| raw P-256 sign / verify, %d threads, BouncyCastle | %,.0f/s / %,.0f/s |%n", cores, bcSign, bcVerify);
        System.out.printf(Locale.ROOT, "| raw P-256 verify, %d threads, BouncyCastle, a new key each time (as a CSR) | %,.0f/s |%n", cores,
                bcVerifyNewKey);
        System.out.printf(Locale.ROOT, "| raw P-256 sign / verify / verify with a new key each time, %d threads, %s (the issuer's) | %,.0f/s / %,.0f/s / %,.0f/s |%n",
                cores, conscrypt ? fastest.getName() : "Conscrypt not loaded", cSign, cVerify, cVerifyNewKey);
        System.out.printf(Locale.ROOT, "| raw limit of an X509-SVID (one verify with a new key + one sign, faster provider) | %,.0f/s |%n",
                1 / (1 / raw + 1 / rawVerify));
        System.out.printf(Locale.ROOT, "the issuer signs and checks CSRs with %s%n", fastest.getName());
        SignerKey key = SignerKey.generate("bench.agentledger.local/log", SignatureType.ED25519);
        try (Ledger ledger = Ledger.open(LedgerConfig.of(dir.resolve("ledger"), key.name(), Ed25519NoteSigner.create(key, fastest),
                Ed25519NoteVerifier.create(key.verifierKey(), fastest)).withIndexer(LogEntryIndexer.INSTANCE))) {
            IssuerConfig config = IssuerConfig.of("bench.agentledger.local");
            Issuer issuer = Issuer.create(ledger, config);
            Registrations registrations = new Registrations(issuer, ledger);
            SpiffeId orchestrator = SpiffeId.of(config.trustDomain(), "orchestrator/bench");
            SpiffeId agent = registrations.register(orchestrator, WorkloadSpec.named("bench")).credential().registration().spiffeId();
            byte[][] csrs = new byte[16][];
            KeyPair agentKey = p256();
            for (int i = 0; i < csrs.length; i++) {
                csrs[i] = csr(i == 0 ? agentKey : p256());
            }
            X509Certificate agentSvid = registrations.issueX509Svid(orchestrator, agent, csrs[0], Duration.ofHours(1)).credential();
            Operation x509 = (c, i) -> issuer.issueX509Svid(agent, csrs[(int) (i % csrs.length)], Duration.ofHours(1));
            if (phases.contains("x509")) {
                report("X509-SVID from CSR, logged", raw, run(seconds, callers, x509));
            }
            if (phases.contains("jwt")) {
                report("JWT-SVID, logged", raw, run(seconds, callers, (c, i) -> issuer.issueJwtSvid(agent, List.of("spiffe://bench/tool"))));
            }

            String text = new String(Issuer.class.getResourceAsStream("/policies/default.cedar").readAllBytes(), StandardCharsets.UTF_8);
            CedarPolicyGate gate = CedarPolicyGate.open(ledger, PolicyConfig.of(config), "bench", text, orchestrator);
            TokenExchange exchange = new TokenExchange(issuer, gate);
            String tool = "spiffe://bench.agentledger.local/tool/billing";
            String chain = new Delegations(issuer).grant(SpiffeId.of(config.trustDomain(), "user/alice"),
                    new DelegationRequest(agent, List.of("invoices:read"), List.of(tool), Duration.ofHours(1), 0)).credential().chain();
            Map<String, List<String>> form = Map.of(
                    "grant_type", List.of(TokenExchangeRequest.GRANT_TYPE),
                    "subject_token", List.of(chain),
                    "subject_token_type", List.of("urn:agentledger:params:oauth:token-type:delegation-chain"),
                    "resource", List.of(tool),
                    "scope", List.of("invoices:read"));
            Operation exchanges = (c, i) -> exchange.exchange(TokenExchangeRequest.parse(form), Optional.of(agentSvid));
            if (phases.contains("exchange")) {
                report("token exchange, Cedar allow, 2 entries logged", raw, run(seconds, callers, exchanges));
            }
            if (openRates != null && openRates[0] > 0) {
                report(String.format(Locale.ROOT, "X509-SVID, open loop at %,.0f/s offered", openRates[0]), raw,
                        openLoop(seconds, openRates[0], x509));
            }
            if (openRates != null && openRates[1] > 0) {
                report(String.format(Locale.ROOT, "token exchange, open loop at %,.0f/s offered", openRates[1]), raw,
                        openLoop(seconds, openRates[1], exchanges));
            }
            System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * Starts {@code operation} at {@code rate} per second for 2 s of warm-up and {@code seconds}
     * measured, each on its own virtual thread at the moment it is due, whatever the earlier ones
     * do; each latency runs from that due moment. At most {@link #MAX_OUTSTANDING} run at once:
     * beyond that the rest is shed and counted (the offered rate was not met).
     */
    private static Result openLoop(int seconds, double rate, Operation operation) throws InterruptedException {
        long cpuStart = cpuNanos();
        AtomicLong all = new AtomicLong();
        AtomicLong lastDone = new AtomicLong();
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long warmupEnd = start + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        long[] latencies = new long[(int) (rate * seconds) + 16];
        java.util.concurrent.atomic.AtomicInteger measured = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
        AtomicLong shed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        java.util.concurrent.Phaser running = new java.util.concurrent.Phaser(1);
        for (long i = 0; ; i++) {
            long due = start + i * period;
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            if (outstanding.get() >= MAX_OUTSTANDING) {
                if (due > warmupEnd) {
                    shed.incrementAndGet();
                }
                continue;
            }
            outstanding.incrementAndGet();
            running.register();
            long n = i;
            Thread.ofVirtual().start(() -> {
                try {
                    operation.run(0, n);
                    long now = System.nanoTime();
                    long latency = now - due;
                    all.incrementAndGet();
                    lastDone.accumulateAndGet(now, Math::max);
                    if (due > warmupEnd) {
                        int at = measured.getAndIncrement();
                        if (at < latencies.length) {
                            latencies[at] = latency;
                        }
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                } finally {
                    outstanding.decrementAndGet();
                    running.arriveAndDeregister();
                }
            });
        }
        running.arriveAndAwaitAdvance();
        double cpuMicros = (cpuNanos() - cpuStart) / 1e3 / Math.max(1, all.get());
        int n = Math.min(measured.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        if (shed.get() > 0 || failed.get() > 0) {
            System.out.printf(Locale.ROOT, "  (open loop: %d shed at %d outstanding, %d failed: the offered rate was not met)%n", shed.get(),
                    MAX_OUTSTANDING, failed.get());
        }
        // Completed per second of the time they took to complete: below the offered rate when it was not met.
        double took = Math.max(seconds, (lastDone.get() - warmupEnd) / 1e9);
        return new Result(n / took, sorted[n / 2] / 1e6, sorted[(int) (n * 0.99)] / 1e6, sorted[n - 1] / 1e6, cpuMicros);
    }

    /** The most open-loop requests in flight at once. */
    private static final int MAX_OUTSTANDING = 2_000;

    /**
     * One phase: measured completions per second, latency percentiles (ms), and process CPU time per
     * operation (µs; closed loop: over the measured window, the 2-s warm-up left out; open loop: all of it).
     */
    private record Result(double rate, double p50, double p99, double max, double cpuMicros) {}

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Result run(int seconds, int callers, Operation operation) throws InterruptedException {
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        AtomicLong all = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<long[]> latencies = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads.add(Thread.ofVirtual().start(() -> {
                long[] mine = new long[1024]; // grown as needed: no half-gigabyte of arrays for the GC to carry
                int n = 0;
                for (long i = 0; ; i++) {
                    long start = System.nanoTime();
                    if (start > end) {
                        break;
                    }
                    try {
                        operation.run(caller, i);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long now = System.nanoTime();
                    all.incrementAndGet();
                    if (start > warmupEnd) {
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = now - start;
                        done.incrementAndGet();
                    }
                }
                latencies.add(Arrays.copyOf(mine, n));
            }));
        }
        // CPU per operation over the measured window only: the warm-up's JIT compilation is not in it.
        for (long left = warmupEnd - System.nanoTime(); left > 0; left = warmupEnd - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(left); // may return early: park again
        }
        long cpuStart = cpuNanos();
        long allStart = all.get();
        for (Thread t : threads) {
            t.join();
        }
        double cpuMicros = (cpuNanos() - cpuStart) / 1e3 / Math.max(1, all.get() - allStart);
        long[] sorted = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(done.get() / (double) seconds, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.99)] / 1e6,
                sorted[sorted.length - 1] / 1e6, cpuMicros);
    }

    private static void report(String what, double raw, Result r) {
        System.out.printf(Locale.ROOT, "| %s | %,.0f/s (p50 %.1f ms, p99 %.1f ms, max %.0f ms), %.2fx raw signing, CPU %,.0f µs/op |%n",
                what, r.rate(), r.p50(), r.p99(), r.max(), r.rate() / raw, r.cpuMicros());
    }

    /**
     * Raw P-256 signatures (or verifications) per second over {@code threads} threads, each with
     * its own reused {@link Signature}: the JDK's choice of provider ({@code provider} null, SunEC)
     * or {@code provider} with the key in its own form (as the issuer holds it).
     */
    private static double rawSignature(int seconds, int threads, boolean verify, java.security.Provider provider) throws Exception {
        KeyPair jdkKey = p256();
        KeyPair key = provider == null ? jdkKey : new KeyPair(
                java.security.KeyFactory.getInstance("EC", provider).generatePublic(
                        new java.security.spec.X509EncodedKeySpec(jdkKey.getPublic().getEncoded())),
                java.security.KeyFactory.getInstance("EC", provider).generatePrivate(
                        new java.security.spec.PKCS8EncodedKeySpec(jdkKey.getPrivate().getEncoded())));
        byte[] message = new byte[300];
        Signature once = Signature.getInstance("SHA256withECDSA");
        once.initSign(jdkKey.getPrivate());
        once.update(message);
        byte[] signature = once.sign();
        return rawRate(seconds, threads, () -> {
            Signature signer = provider == null ? Signature.getInstance("SHA256withECDSA")
                    : Signature.getInstance("SHA256withECDSA", provider);
            if (verify) {
                signer.initVerify(key.getPublic());
            } else {
                signer.initSign(key.getPrivate());
            }
            return i -> {
                signer.update(message);
                if (verify) {
                    signer.verify(signature);
                } else {
                    signer.sign();
                }
            };
        });
    }

    /** One step of a raw loop, on its worker's own state; {@code i} counts the worker's steps. */
    private interface RawStep {
        void run(int i) throws Exception;
    }

    /**
     * Steps per second over {@code threads} platform threads, each running its own step from
     * {@code newStep} for 2 s of warm-up (not counted) and then {@code seconds}.
     */
    private static double rawRate(int seconds, int threads, java.util.concurrent.Callable<RawStep> newStep) throws Exception {
        AtomicLong done = new AtomicLong();
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    RawStep step = newStep.call();
                    int i = 0;
                    for (long now = System.nanoTime(); now < end; now = System.nanoTime(), i++) {
                        step.run(i);
                        if (now > warmupEnd) {
                            done.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        return done.get() / (double) seconds;
    }

    /**
     * Raw P-256 verifications per second over {@code threads} threads when every signature comes
     * with a key not seen before, read from its SubjectPublicKeyInfo by {@code provider} (as a
     * CSR's key is): 64 keys in turn, each read anew for each verification.
     */
    private static double rawVerifyNewKeys(int seconds, int threads, java.security.Provider provider) throws Exception {
        int keys = 64;
        byte[] message = new byte[300];
        byte[][] encoded = new byte[keys][];
        byte[][] signatures = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            KeyPair pair = p256();
            encoded[k] = pair.getPublic().getEncoded();
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(message);
            signatures[k] = signer.sign();
        }
        return rawRate(seconds, threads, () -> {
            java.security.KeyFactory factory = java.security.KeyFactory.getInstance("EC", provider);
            return i -> {
                int k = i % keys;
                Signature verifier = Signature.getInstance("SHA256withECDSA", provider);
                verifier.initVerify(factory.generatePublic(new java.security.spec.X509EncodedKeySpec(encoded[k])));
                verifier.update(message);
                if (!verifier.verify(signatures[k])) {
                    throw new IllegalStateException("a raw signature did not verify");
                }
            };
        });
    }

    /** The largest of the rates measured (NaN for one not measured). */
    private static double max(double... rates) {
        return Arrays.stream(rates).filter(r -> !Double.isNaN(r)).max().orElse(Double.NaN);
    }

    /** A fresh P-256 key pair. */
    static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A PKCS#10 request (DER) for {@code key}, signed with it. */
    static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=bench"), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }
}
