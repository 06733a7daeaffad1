package dev.agentledger.bench;

import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.Note;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Checkpoint note signing and opening beside raw Ed25519 sign and verify of the same bytes with the
 * same provider, measured in the same run. {@code provider} is the JDK's or BouncyCastle's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class NoteBench {
    @Param({"jdk", "bc"})
    public String provider;

    private byte[] text;
    private String textString;
    private String note;
    private Ed25519NoteSigner signer;
    private List<Ed25519NoteVerifier> verifiers;
    private Signature rawSign;
    private Signature rawVerify;
    private byte[] rawSignature;

    @Setup
    public void setUp() throws GeneralSecurityException {
        Provider p = provider.equals("bc") ? new BouncyCastleProvider() : null;
        SignerKey key = SignerKey.generate("bench.agentledger.local/log", SignatureType.ED25519);
        signer = p == null ? Ed25519NoteSigner.create(key) : Ed25519NoteSigner.create(key, p);
        verifiers = List.of(p == null
                ? Ed25519NoteVerifier.create(key.verifierKey())
                : Ed25519NoteVerifier.create(key.verifierKey(), p));
        textString = new Checkpoint("bench.agentledger.local/log", 123_456_789L, Rfc6962.hashLeaf(new byte[] {1})).format();
        text = textString.getBytes(StandardCharsets.UTF_8);
        note = Notes.sign(textString, signer);

        KeyPairGenerator generator = p == null ? KeyPairGenerator.getInstance("Ed25519") : KeyPairGenerator.getInstance("Ed25519", p);
        KeyPair pair = generator.generateKeyPair();
        rawSign = p == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", p);
        rawSign.initSign(pair.getPrivate());
        rawVerify = p == null ? Signature.getInstance("Ed25519") : Signature.getInstance("Ed25519", p);
        rawVerify.initVerify(pair.getPublic());
        rawSign.update(text);
        rawSignature = rawSign.sign();
    }

    @Benchmark
    public byte[] rawEd25519Sign() throws GeneralSecurityException {
        rawSign.update(text);
        return rawSign.sign();
    }

    @Benchmark
    public boolean rawEd25519Verify() throws GeneralSecurityException {
        rawVerify.update(text);
        return rawVerify.verify(rawSignature);
    }

    @Benchmark
    public String signCheckpointNote() {
        return Notes.sign(textString, signer);
    }

    @Benchmark
    public Note openCheckpointNote() throws VerificationException {
        return Notes.open(note, verifiers);
    }
}
