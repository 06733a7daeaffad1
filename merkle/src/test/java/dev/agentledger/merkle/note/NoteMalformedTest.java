package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutation probes of c2sp.org/signed-note, section "Format": each note below is the Go reference
 * vector with one thing broken, and must be refused as malformed with a message saying what.
 */
class NoteMalformedTest {
    private static final Map<String, String> VECTOR = VectorFile.resource("signed-note.json");
    private static final String TEXT = VECTOR.get("text");
    /** The PeterNeumann signature line, with its newline. */
    private static final String SIG = VECTOR.get("note").substring(TEXT.length() + 1);
    private static final String SIG_B64 = SIG.substring(SIG.indexOf(' ', 2) + 1, SIG.length() - 1);

    static Stream<Arguments> malformed() {
        return Stream.of(
                // Go's note_test.go badMsgs, in order.
                bad("no blank line, no signatures", TEXT, "no blank line"),
                bad("blank line, no signatures", TEXT + "\n", "no signature lines"),
                bad("last line without newline", TEXT + "\n" + SIG.stripTrailing(), "does not end with a newline"),
                bad("control character U+0001", "\u0001" + TEXT + "\n" + SIG, "control character U+0001"),
                bad("key name with a space", TEXT + "\n\u2014 Bad Name " + SIG_B64 + "\n", "not canonical"),
                bad("unexpected line after signatures", TEXT + "\n" + SIG + "Unexpected line.\n", "line 2: does not start with an em dash"),
                // Line endings and characters.
                bad("CRLF line endings", TEXT.replace("\n", "\r\n") + "\r\n" + SIG.replace("\n", "\r\n"), "control character U+000D"),
                bad("CR at end of signature line", TEXT + "\n" + SIG.stripTrailing() + "\r\n", "control character U+000D"),
                bad("tab in text", "a\tb\n\n" + SIG, "control character U+0009"),
                bad("NUL in text", "a\u0000b\n\n" + SIG, "control character U+0000"),
                bad("trailing garbage after last newline", TEXT + "\n" + SIG + "x", "does not end with a newline"),
                bad("trailing blank line", TEXT + "\n" + SIG + "\n", "no signature lines"),
                // Signature line syntax.
                bad("hyphens instead of em dash", TEXT + "\n-- PeterNeumann " + SIG_B64 + "\n", "em dash"),
                bad("en dash instead of em dash", TEXT + "\n\u2013 PeterNeumann " + SIG_B64 + "\n", "em dash"),
                bad("em dash without space", TEXT + "\n\u2014PeterNeumann " + SIG_B64 + "\n", "em dash"),
                bad("no space before signature", TEXT + "\n\u2014 PeterNeumann" + SIG_B64 + "\n", "no space"),
                bad("empty key name", TEXT + "\n\u2014  " + SIG_B64 + "\n", "key name \"\""),
                bad("key name with plus", TEXT + "\n\u2014 Peter+Neumann " + SIG_B64 + "\n", "key name \"Peter+Neumann\""),
                bad("key name with no-break space", TEXT + "\n\u2014 Peter\u00a0Neumann " + SIG_B64 + "\n", "key name"),
                bad("empty signature", TEXT + "\n\u2014 PeterNeumann \n", "0 bytes, want at least 5"),
                bad("two spaces before signature", TEXT + "\n\u2014 PeterNeumann  " + SIG_B64 + "\n", "not canonical"),
                bad("space after signature", TEXT + "\n\u2014 PeterNeumann " + SIG_B64 + " \n", "not canonical"),
                bad("bad base64 character", TEXT + "\n\u2014 PeterNeumann " + SIG_B64.replace('/', '_') + "\n", "not canonical"),
                bad("base64 without padding", TEXT + "\n\u2014 PeterNeumann " + SIG_B64.replace("=", "") + "\n", "not canonical"),
                bad("base64 with nonzero trailing bits", TEXT + "\n\u2014 PeterNeumann " + SIG_B64.replace("AM=", "AN=") + "\n", "not canonical"),
                bad("signature of 4 bytes (key ID only)", TEXT + "\n\u2014 PeterNeumann x08gow==\n", "4 bytes, want at least 5"),
                // Limits.
                bad("101 signature lines", TEXT + "\n" + SIG.repeat(101), "101 signature lines, limit 100"),
                bad("over 1 MiB", "a".repeat(Notes.MAX_NOTE_SIZE) + "\n\n" + SIG, "limit 1048576"));
    }

    private static Arguments bad(String name, String note, String reason) {
        return Arguments.of(name, note.getBytes(StandardCharsets.UTF_8), reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusedAsMalformed(String name, byte[] note, String reason) {
        List<NoteVerifier> known = List.of(Ed25519NoteVerifier.create(VerifierKey.parse(VECTOR.get("vkey"))));
        MalformedNoteException e = assertThrows(MalformedNoteException.class, () -> Notes.open(note, known));
        assertTrue(e.getMessage().contains(reason), () -> "message \"" + e.getMessage() + "\" lacks \"" + reason + "\"");
    }

    @ParameterizedTest(name = "invalid UTF-8: {0}")
    @MethodSource("invalidUtf8")
    void invalidUtf8IsMalformed(String name, byte[] bad) {
        byte[] sig = SIG.getBytes(StandardCharsets.UTF_8);
        byte[] note = new byte[bad.length + 3 + sig.length];
        System.arraycopy(bad, 0, note, 0, bad.length);
        note[bad.length] = 'a';
        note[bad.length + 1] = '\n';
        note[bad.length + 2] = '\n';
        System.arraycopy(sig, 0, note, bad.length + 3, sig.length);
        MalformedNoteException e = assertThrows(MalformedNoteException.class, () -> Notes.open(note, List.of()));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("0xff", new byte[] {(byte) 0xff}),
                Arguments.of("lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("overlong slash", new byte[] {(byte) 0xc0, (byte) 0xaf}),
                Arguments.of("encoded surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                Arguments.of("truncated em dash", new byte[] {(byte) 0xe2, (byte) 0x80}),
                Arguments.of("above U+10FFFF", new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
    }

    @Test
    void unpairedSurrogateInStringIsMalformed() {
        MalformedNoteException e = assertThrows(MalformedNoteException.class,
                () -> Notes.open("a\ud800b\n\n" + SIG, List.of()));
        assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
    }

    /** The limits are not off by one: exactly 100 lines, and exactly 1 MiB, are read. */
    @Test
    void limitsAreInclusive() throws VerificationException {
        List<NoteVerifier> known = List.of(Ed25519NoteVerifier.create(VerifierKey.parse(VECTOR.get("vkey"))));
        Note hundred = Notes.open(TEXT + "\n" + SIG.repeat(100), known);
        assertEquals(1, hundred.verifiedSignatures().size());

        byte[] sig = SIG.getBytes(StandardCharsets.UTF_8);
        byte[] exact = new byte[Notes.MAX_NOTE_SIZE];
        Arrays.fill(exact, (byte) 'a');
        exact[exact.length - sig.length - 2] = '\n';
        exact[exact.length - sig.length - 1] = '\n';
        System.arraycopy(sig, 0, exact, exact.length - sig.length, sig.length);
        // A 1 MiB note parses; its signature is for another text, so it is an invalid signature.
        assertThrows(InvalidSignatureException.class, () -> Notes.open(exact, known));
    }
}
