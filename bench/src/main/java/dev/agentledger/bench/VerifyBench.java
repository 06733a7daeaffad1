package dev.agentledger.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.svid.SpiffeBundle;
import dev.agentledger.verifierclient.svid.VerifiedX509Svid;
import dev.agentledger.verifierclient.svid.X509SvidVerifier;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.TokenException;
import dev.agentledger.verifierclient.tokens.TokenKeys;
import dev.agentledger.verifierclient.tokens.TokenVerifier;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a tool pays to check a caller with the verifier client, beside the raw cost underneath,
 * measured in the same run: capability token verification ({@link TokenVerifier#verifyCapability})
 * and X509-SVID verification (DER parse and {@link X509SvidVerifier#verify}) beside one raw P-256 ECDSA
 * verify of the token's signature; inclusion proof verification ({@link LogVerifier#verifyInclusion})
 * in a tree of 2^20 leaves beside raw SHA-256 of as many 65-byte nodes as the proof hashes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class VerifyBench {
    private static final String TRUST_DOMAIN = "bench.agentledger.local";
    private static final String TOOL = "spiffe://bench.agentledger.local/tool/billing";
    private static final String ACTION = "invoices:read";
    private static final int LOG_SIZE = 20;
    /** More SVIDs than the JDK's certificate factory caches (750), so each parse makes a new object. */
    private static final int DISTINCT_SVIDS = 1024;

    private TokenVerifier tokens;
    /** On BouncyCastle: the action proxy's verifier (the key's point decoded once, its multiples kept). */
    private TokenVerifier tokensOnBouncyCastle;
    private ECPublicKey tokenKey;
    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    private String token;
    private X509Certificate holder;
    private byte[][] svids;
    private int next;
    private CertificateFactory certificates;
    private SpiffeBundle bundle;
    private Instant now;
    private Signature rawVerify;
    private byte[] signingInput;
    private byte[] rawSignature;
    private LogVerifier log;
    private VerifiedCheckpoint checkpoint;
    private Hash leaf;
    private long index;
    private InclusionProof inclusion;
    private MessageDigest raw;
    private byte[] nodeInput;

    @Setup
    public void setUp() throws Exception {
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CertificateAuthority ca = CertificateAuthority.create(TRUST_DOMAIN, InstantSource.system());
        SpiffeId agent = SpiffeId.of(TRUST_DOMAIN, "agent/research/1");
        Credentials svid = ca.issueClient(agent);
        holder = svid.certificate();
        svids = new byte[DISTINCT_SVIDS][];
        for (int i = 0; i < DISTINCT_SVIDS; i++) {
            svids[i] = ca.issueClient(SpiffeId.of(TRUST_DOMAIN, "agent/research/" + i)).certificate().getEncoded();
        }
        certificates = CertificateFactory.getInstance("X.509");
        bundle = SpiffeBundle.parse(bundleJson(ca.certificate()), TRUST_DOMAIN);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        String issuer = SpiffeId.of(TRUST_DOMAIN, "agentledger/issuer").value();
        tokens = new TokenVerifier(TokenKeys.of(Map.of("k1", (ECPublicKey) key.getPublic())), issuer, InstantSource.fixed(now));
        tokensOnBouncyCastle = new TokenVerifier(TokenKeys.of(Map.of("k1", (ECPublicKey) key.getPublic())), issuer,
                InstantSource.fixed(now), BOUNCY_CASTLE);
        tokenKey = (ECPublicKey) key.getPublic();
        token = sign(new CapabilityClaims(issuer, agent, TOOL, agent.value(), now, now.plusSeconds(60), "t-1", ACTION, TOOL,
                SpiffeId.of(TRUST_DOMAIN, "user/alice"), List.of(agent),
                CapabilityClaims.certificateThumbprint(holder.getEncoded()), List.of("d-1"), Optional.empty()), key);
        String[] parts = token.split("\\.");
        signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        rawSignature = Base64.getUrlDecoder().decode(parts[2]);
        rawVerify = Signature.getInstance("SHA256withECDSAinP1363Format");
        rawVerify.initVerify(key.getPublic());

        byte[] entry = new byte[256];
        entry[0] = 7;
        NodeSource tree = SyntheticTree.of(entry);
        long size = 1L << LOG_SIZE;
        index = size / 2 + 12345;
        leaf = tree.hash(0, index);
        inclusion = Proofs.inclusion(tree, index, size);
        SignerKey logKey = SignerKey.generate("bench.agentledger.local/log", SignatureType.ED25519);
        log = LogVerifier.create(logKey.name(), logKey.verifierKey(), List.of(), 0);
        checkpoint = log.open(Notes.sign(new Checkpoint(logKey.name(), size, Proofs.root(tree, size)).format(),
                Ed25519NoteSigner.create(logKey)));
        raw = MessageDigest.getInstance("SHA-256");
        nodeInput = new byte[65];
        nodeInput[0] = 1;
    }

    private static String bundleJson(X509Certificate ca) throws GeneralSecurityException {
        return new JWKSet(new ECKey.Builder(Curve.P_256, (ECPublicKey) ca.getPublicKey())
                .keyUse(new KeyUse("x509-svid"))
                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(ca.getEncoded())))
                .build()).toString(true);
    }

    private static String sign(CapabilityClaims claims, KeyPair key) throws JOSEException {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).keyID("k1").build(),
                new Payload(claims.toClaims()));
        jws.sign(new ECDSASigner((ECPrivateKey) key.getPrivate()));
        return jws.serialize();
    }

    /** One ES256 (P-256 ECDSA, SHA-256) verify of the token's signature, nothing else. */
    @Benchmark
    public boolean rawP256Verify() throws GeneralSecurityException {
        rawVerify.update(signingInput);
        return rawVerify.verify(rawSignature);
    }

    @Benchmark
    public CapabilityClaims verifyCapabilityToken() throws TokenException {
        return tokens.verifyCapability(token, TOOL, ACTION, TOOL, holder);
    }

    /** The whole capability token check as the action proxy runs it: ES256 on BouncyCastle's lightweight API, the key's point kept. */
    @Benchmark
    public CapabilityClaims verifyCapabilityTokenBouncyCastle() throws TokenException {
        return tokensOnBouncyCastle.verifyCapability(token, TOOL, ACTION, TOOL, holder);
    }

    /** ES256 alone through BouncyCastle's JCA provider, as the action proxy checked it before: the key converted on every call. */
    @Benchmark
    public boolean rawP256VerifyBouncyCastleJca() throws GeneralSecurityException {
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format", BOUNCY_CASTLE);
        verifier.initVerify(tokenKey);
        verifier.update(signingInput);
        return verifier.verify(rawSignature);
    }

    /**
     * Parses an SVID's DER then verifies it, as a tool does with the bytes of a handshake. The JDK
     * caches a certificate object's last signature check and the factory caches parsed objects,
     * so the SVIDs cycle through more distinct certificates than the factory keeps.
     */
    @Benchmark
    public VerifiedX509Svid verifyX509Svid() throws VerificationException, GeneralSecurityException {
        byte[] der = svids[next];
        next = (next + 1) % DISTINCT_SVIDS;
        X509Certificate parsed = (X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(der));
        return X509SvidVerifier.verify(List.of(parsed), bundle, now);
    }

    /** Raw SHA-256 of as many 65-byte nodes as the inclusion proof has hashes (20 at 2^20 leaves). */
    @Benchmark
    public byte[] rawSha256ProofNodes() {
        byte[] digest = null;
        for (int i = 0; i < inclusion.hashes().size(); i++) {
            digest = raw.digest(nodeInput);
        }
        return digest;
    }

    @Benchmark
    public Hash verifyInclusion2to20() throws VerificationException {
        log.verifyInclusion(leaf, index, inclusion, checkpoint);
        return leaf;
    }
}
