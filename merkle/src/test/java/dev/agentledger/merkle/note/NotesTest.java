package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.VerificationException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Opening and signing notes (c2sp.org/signed-note, sections "Format" and "Signatures"). */
class NotesTest {
    private static final Map<String, String> GO = VectorFile.resource("signed-note.json");
    private static final Map<String, String> PUBLISHED = VectorFile.resource("published-vectors.json");
    private static final String TEXT = GO.get("text");
    private static final String PETER_LINE = GO.get("note").substring(TEXT.length() + 1);
    private static final String ENOCH_LINE = PUBLISHED.get("go_enoch_signature_line");

    private static Ed25519NoteVerifier peter() {
        return Ed25519NoteVerifier.create(VerifierKey.parse(GO.get("vkey")));
    }

    private static Ed25519NoteVerifier enoch() {
        return Ed25519NoteVerifier.create(VerifierKey.parse(PUBLISHED.get("go_enoch_vkey")));
    }

    /** A signer with a fresh key; seeded so a failure reproduces. */
    private static Ed25519NoteSigner freshSigner(String name, long seed) {
        return Ed25519NoteSigner.create(SignerKey.generate(name, SignatureType.ED25519, seeded(seed)));
    }

    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void c2spSpecExampleVerifies() throws VerificationException {
        Ed25519NoteVerifier verifier = Ed25519NoteVerifier.create(VerifierKey.parse(PUBLISHED.get("c2sp_vkey")));
        Note note = Notes.open(PUBLISHED.get("c2sp_note"), List.of(verifier));
        assertEquals("This is an example message.\n", note.text());
        assertEquals(Optional.of(note.signatures().get(0)), note.verifiedSignature(verifier));
    }

    @Test
    void unknownSignerIsKeptUnverified() throws VerificationException {
        Note note = Notes.open(TEXT + "\n" + PETER_LINE + ENOCH_LINE, List.of(peter()));
        assertEquals(List.of("PeterNeumann"), note.verifiedSignatures().stream().map(NoteSignature::name).toList());
        assertEquals(List.of("EnochRoot"), note.unverifiedSignatures().stream().map(NoteSignature::name).toList());
        assertEquals(Optional.empty(), note.verifiedSignature(enoch()));
    }

    @Test
    void severalKnownSignaturesAllVerify() throws VerificationException {
        Note note = Notes.open(TEXT + "\n" + PETER_LINE + ENOCH_LINE, List.of(enoch(), peter()));
        assertEquals(List.of("PeterNeumann", "EnochRoot"),
                note.verifiedSignatures().stream().map(NoteSignature::name).toList());
        assertTrue(note.unverifiedSignatures().isEmpty());
        assertTrue(note.verifiedSignature(enoch()).isPresent(), "an equal verifier finds the signature");
    }

    @Test
    void noKnownSignerIsRefused() {
        UnverifiedNoteException e = assertThrows(UnverifiedNoteException.class,
                () -> Notes.open(TEXT + "\n" + PETER_LINE + ENOCH_LINE, List.of()));
        assertEquals(List.of("PeterNeumann", "EnochRoot"),
                e.unknownSignatures().stream().map(NoteSignature::name).toList());
        assertTrue(e.getMessage().contains("PeterNeumann+c74f20a3, EnochRoot+af0cfe78"), e.getMessage());
    }

    /** Matching needs name and key ID: a key sharing only one of them is unknown, not wrong. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"same name, other key ID", "same key ID, other name"})
    void signatureMatchingOnlyNameOrIdIsIgnored(String which) throws VerificationException {
        NoteSignature real = Notes.open(GO.get("note"), List.of(peter())).signatures().get(0);
        NoteSignature impostor = which.startsWith("same name")
                ? NoteSignature.of(real.name(), new KeyId(real.keyId().value() + 1), real.signature())
                : NoteSignature.of("PeterNeumann2", real.keyId(), real.signature());
        Note note = Notes.open(TEXT + "\n" + impostor.line() + PETER_LINE, List.of(peter()));
        assertEquals(List.of(impostor), note.unverifiedSignatures());
        assertEquals(List.of(real), note.verifiedSignatures());
    }

    @Test
    void badSignatureByKnownKeyRejectsTheNote() {
        // Go's test: "ABCD" spliced into the base64 makes a 3-byte-longer signature.
        String bad = PETER_LINE.substring(0, 60) + "ABCD" + PETER_LINE.substring(60);
        InvalidSignatureException e = assertThrows(InvalidSignatureException.class,
                () -> Notes.open(TEXT + "\n" + bad + ENOCH_LINE, List.of(peter(), enoch())));
        assertEquals("PeterNeumann", e.keyName());
        assertEquals(KeyId.parseHex("c74f20a3"), e.keyId());
        assertTrue(e.getMessage().contains("67 bytes, want 64"), e.getMessage());
    }

    @Test
    void badSignatureByKnownKeyRejectsEvenWhenAnotherVerifies() {
        String other = "Another text.\n";
        Ed25519NoteSigner signer = freshSigner("log.example/a", 1);
        String wrongText = Notes.sign(other, signer).substring(other.length() + 1);
        assertThrows(InvalidSignatureException.class, () -> Notes.open(TEXT + "\n" + PETER_LINE + wrongText,
                List.of(peter(), Ed25519NoteVerifier.create(signer.verifierKey()))));
    }

    /** Go's case: repeated lines are dropped; a second signature by a verified key is not checked. */
    @Test
    void duplicatesAreDropped() throws VerificationException {
        String enochAbcd = ENOCH_LINE.substring(0, 60) + "ABCD" + ENOCH_LINE.substring(60);
        String badPeter = PETER_LINE.substring(0, 60) + "ABCD" + PETER_LINE.substring(60);
        Note note = Notes.open(TEXT + "\n" + PETER_LINE + badPeter + ENOCH_LINE + ENOCH_LINE + enochAbcd,
                List.of(peter()));
        assertEquals(1, note.verifiedSignatures().size());
        assertEquals(2, note.unverifiedSignatures().size());
        assertEquals(3, note.signatures().size());
    }

    @Test
    void equalVerifiersTwiceAreFineButUnequalOnesSharingAKeyAreAmbiguous() throws VerificationException {
        assertEquals(1, Notes.open(GO.get("note"), List.of(peter(), enoch(), peter())).verifiedSignatures().size());
        NoteVerifier lookalike = new NoteVerifier() {
            @Override
            public String name() {
                return "PeterNeumann";
            }

            @Override
            public KeyId keyId() {
                return KeyId.parseHex("c74f20a3");
            }

            @Override
            public void verify(byte[] text, byte[] signature) {}
        };
        assertThrows(IllegalArgumentException.class, () -> Notes.open(GO.get("note"), List.of(peter(), lookalike)));
    }

    static Stream<Arguments> roundTripTexts() {
        return Stream.of(
                Arguments.of("one line", "hello\n"),
                Arguments.of("only a newline", "\n"),
                Arguments.of("empty lines inside", "a\n\nb\n\n\nc\n"),
                Arguments.of("ends with a blank line", "a\n\n"),
                Arguments.of("looks like a signature", "x\n\n\u2014 fake AAAAAAA=\n"),
                Arguments.of("non-ASCII", "Ognuno sta solo sul cuor della terra\ned \u00e8 subito sera \ud83c\udf05\n"),
                Arguments.of("checkpoint", "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTripTexts")
    void signThenOpenRoundTrips(String name, String text) throws VerificationException {
        Ed25519NoteSigner a = freshSigner("a.example/log", 2);
        Ed25519NoteSigner b = freshSigner("b.example/log", 3);
        String signed = Notes.sign(text, a, b);
        Note note = Notes.open(signed, List.of(Ed25519NoteVerifier.create(a.verifierKey()),
                Ed25519NoteVerifier.create(b.verifierKey())));
        assertEquals(text, note.text());
        assertEquals(List.of("a.example/log", "b.example/log"),
                note.verifiedSignatures().stream().map(NoteSignature::name).toList());
        assertEquals(signed, text + "\n" + note.signatures().get(0).line() + note.signatures().get(1).line());
    }

    @Test
    void addSignaturesKeepsOthersAndReplacesOwn() throws VerificationException {
        Note opened = Notes.open(TEXT + "\n" + ENOCH_LINE + PETER_LINE, List.of(peter()));
        Ed25519NoteSigner peterSigner = Ed25519NoteSigner.create(SignerKey.parse(GO.get("skey")));
        Ed25519NoteSigner witness = freshSigner("witness.example/w", 4);
        String signed = Notes.addSignatures(opened, List.of(peterSigner, witness));
        Note reopened = Notes.open(signed, List.of(peter(), Ed25519NoteVerifier.create(witness.verifierKey())));
        assertEquals(List.of("EnochRoot", "PeterNeumann", "witness.example/w"),
                reopened.signatures().stream().map(NoteSignature::name).toList());
        assertTrue(signed.startsWith(TEXT + "\n" + ENOCH_LINE + PETER_LINE), signed);
    }

    static Stream<Arguments> unsignableTexts() {
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("no final newline", "abc"),
                Arguments.of("carriage return", "a\r\n"),
                Arguments.of("tab", "a\tb\n"),
                Arguments.of("unpaired surrogate", "a\udc00\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsignableTexts")
    void signRefusesBadText(String name, String text) {
        assertThrows(IllegalArgumentException.class, () -> Notes.sign(text, freshSigner("a", 5)));
    }

    @Test
    void signRefusesCallerMistakes() {
        Ed25519NoteSigner signer = freshSigner("a", 6);
        assertThrows(IllegalArgumentException.class, () -> Notes.sign("x\n", List.of()), "no signers");
        assertThrows(IllegalArgumentException.class, () -> Notes.sign("x\n", signer, signer), "same key twice");
        NoteSigner spaced = new NoteSigner() {
            @Override
            public String name() {
                return "bad name";
            }

            @Override
            public KeyId keyId() {
                return new KeyId(1);
            }

            @Override
            public byte[] sign(byte[] text) {
                return new byte[64];
            }
        };
        assertThrows(IllegalArgumentException.class, () -> Notes.sign("x\n", spaced), "invalid name");
        List<NoteSigner> tooMany = IntStream.rangeClosed(1, Notes.MAX_SIGNATURES + 1)
                .mapToObj(i -> (NoteSigner) freshSigner("s" + i, i)).toList();
        assertThrows(IllegalArgumentException.class, () -> Notes.sign("x\n", tooMany), "101 signers");
        assertFalse(Notes.sign("x\n", tooMany.subList(0, Notes.MAX_SIGNATURES)).isEmpty(), "100 signers");
    }
}
