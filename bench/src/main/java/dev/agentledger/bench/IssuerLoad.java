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
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * In-process issuance load, every credential logged with its proof before it returns: X509-SVIDs
 * from CSRs, JWT-SVIDs, and RFC 8693 token exchanges decided by the embedded Cedar policy; beside
 * the raw P-256 (SHA256withECDSA) signing rate on all cores, measured in the same run.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.agentledger.bench.IssuerLoad [seconds] [callers] [dir]
 * </pre>
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
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("issuer-load");
        int cores = Runtime.getRuntime().availableProcessors();
        double raw = rawSignature(seconds, cores, false);
        double rawVerify = rawSignature(seconds, cores, true);
        System.out.printf(Locale.ROOT, "raw SHA256withECDSA P-256 on %d threads: sign %.0f/s, verify %.0f/s; sign+verify (an X509-SVID's"
                + " CSR check and signature) %.0f/s%n", cores, raw, rawVerify, 1 / (1 / raw + 1 / rawVerify));
        SignerKey key = SignerKey.generate("bench.agentledger.local/log", SignatureType.ED25519);
        BouncyCastleProvider bc = new BouncyCastleProvider();
        try (Ledger ledger = Ledger.open(LedgerConfig.of(dir.resolve("ledger"), key.name(), Ed25519NoteSigner.create(key, bc),
                Ed25519NoteVerifier.create(key.verifierKey(), bc)).withIndexer(LogEntryIndexer.INSTANCE))) {
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
            report("X509-SVID from CSR", raw, run(seconds, callers,
                    (c, i) -> issuer.issueX509Svid(agent, csrs[(int) (i % csrs.length)], Duration.ofHours(1))));
            report("JWT-SVID", raw, run(seconds, callers, (c, i) -> issuer.issueJwtSvid(agent, List.of("spiffe://bench/tool"))));

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
            report("token exchange (Cedar allow, 2 entries)", raw, run(seconds, callers,
                    (c, i) -> exchange.exchange(TokenExchangeRequest.parse(form), Optional.of(agentSvid))));
        }
    }

    private record Result(double rate, double p50, double p99, double max) {}

    private static Result run(int seconds, int callers, Operation operation) throws InterruptedException {
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        AtomicLong done = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            long[] mine = new long[1 << 20];
            latencies.add(mine);
            threads.add(Thread.ofVirtual().start(() -> {
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
                    if (start > warmupEnd && n < mine.length) {
                        mine[n++] = now - start;
                        done.incrementAndGet();
                    }
                }
                mine[mine.length - 1] = n;
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long total = 0;
        for (long[] l : latencies) {
            total += l[l.length - 1];
        }
        long[] all = new long[(int) total];
        int at = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        return new Result(done.get() / (double) seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                all[all.length - 1] / 1e6);
    }

    private static void report(String what, double raw, Result r) {
        System.out.printf(Locale.ROOT, "%-42s %9.0f/s  ratio to raw signing %.2f  p50 %.2f ms  p99 %.2f ms  max %.2f ms%n",
                what, r.rate(), r.rate() / raw, r.p50(), r.p99(), r.max());
    }

    /** Raw P-256 signatures (or verifications) per second over {@code threads} threads, JDK provider (the issuer's). */
    private static double rawSignature(int seconds, int threads, boolean verify) throws Exception {
        KeyPair key = p256();
        byte[] message = new byte[300];
        Signature once = Signature.getInstance("SHA256withECDSA");
        once.initSign(key.getPrivate());
        once.update(message);
        byte[] signature = once.sign();
        AtomicLong done = new AtomicLong();
        long warmupEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    Signature signer = Signature.getInstance("SHA256withECDSA");
                    if (verify) {
                        signer.initVerify(key.getPublic());
                    } else {
                        signer.initSign(key.getPrivate());
                    }
                    for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                        signer.update(message);
                        if (verify) {
                            signer.verify(signature);
                        } else {
                            signer.sign();
                        }
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
