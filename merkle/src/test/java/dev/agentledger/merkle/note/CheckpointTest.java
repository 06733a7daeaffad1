package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** c2sp.org/tlog-checkpoint, section "Note text": strict parsing and byte-exact formatting. */
class CheckpointTest {
    /** The root of the checkpoint example in c2sp.org/tlog-checkpoint. */
    private static final String ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    /** SHA-256 of nothing: the empty tree's root, standard base64. */
    private static final String EMPTY_ROOT = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    /** A base64 string of 31 bytes. */
    private static final String ROOT_31 = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==";

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("spec example", "example.com/behind-the-sofa\n20852163\n" + ROOT + "\n",
                        "example.com/behind-the-sofa", 20852163L, ROOT, List.of()),
                Arguments.of("empty tree", "log\n0\n" + EMPTY_ROOT + "\n", "log", 0L, EMPTY_ROOT, List.of()),
                Arguments.of("largest size", "log\n9223372036854775807\n" + ROOT + "\n",
                        "log", Long.MAX_VALUE, ROOT, List.of()),
                Arguments.of("extension lines", "log\n7\n" + ROOT + "\nextension one\n\u2014 two\n",
                        "log", 7L, ROOT, List.of("extension one", "\u2014 two")),
                Arguments.of("origin with spaces and plus (only a SHOULD)", "my log+1\n1\n" + ROOT + "\n",
                        "my log+1", 1L, ROOT, List.of()),
                Arguments.of("non-ASCII origin", "journal.example/\u00e9t\u00e9\n12\n" + ROOT + "\n",
                        "journal.example/\u00e9t\u00e9", 12L, ROOT, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesAndFormatsBackByteForByte(String name, String body, String origin, long size, String root,
            List<String> extensions) throws MalformedCheckpointException {
        Checkpoint checkpoint = Checkpoint.parse(body);
        assertEquals(new Checkpoint(origin, size, Hash.fromBase64(root), extensions), checkpoint);
        assertEquals(body, checkpoint.format());
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                bad("empty body", "", "does not end with a newline"),
                bad("missing final newline", "log\n1\n" + ROOT, "does not end with a newline"),
                bad("two lines", "log\n1\n", "2 lines, want at least 3"),
                bad("empty origin", "\n1\n" + ROOT + "\n", "line 1 is empty"),
                bad("leading zero", "log\n01\n" + ROOT + "\n", "leading zeros"),
                bad("zero with leading zero", "log\n00\n" + ROOT + "\n", "leading zeros"),
                bad("plus sign", "log\n+5\n" + ROOT + "\n", "without sign"),
                bad("negative", "log\n-1\n" + ROOT + "\n", "without sign"),
                bad("minus zero", "log\n-0\n" + ROOT + "\n", "without sign"),
                bad("hex size", "log\n0x10\n" + ROOT + "\n", "decimal"),
                bad("space in size", "log\n 1\n" + ROOT + "\n", "decimal"),
                bad("non-ASCII digit", "log\n\u0661\n" + ROOT + "\n", "decimal"),
                bad("empty size", "log\n\n" + ROOT + "\n", "line 2 is empty"),
                bad("size 2^63", "log\n9223372036854775808\n" + ROOT + "\n", "exceeds 2^63-1"),
                bad("size 2^64", "log\n18446744073709551616\n" + ROOT + "\n", "exceeds 2^63-1"),
                bad("31-byte root", "log\n1\n" + ROOT_31 + "\n", "31 bytes, want 32"),
                bad("33-byte root", "log\n1\n" + "A".repeat(44) + "\n", "33 bytes, want 32"),
                bad("truncated base64 root", "log\n1\n" + ROOT.substring(0, 40) + "\n", "30 bytes, want 32"),
                bad("ragged base64 root", "log\n1\n" + ROOT.substring(0, 42) + "\n", "not canonical"),
                bad("root without padding", "log\n1\n" + ROOT.replace("=", "") + "\n", "not canonical"),
                bad("root with nonzero trailing bits", "log\n1\n" + ROOT.replace("2I=", "2J=") + "\n", "not canonical"),
                bad("URL-safe base64 root", "log\n1\n" + EMPTY_ROOT.replace('+', '-').replace('/', '_') + "\n", "not canonical"),
                bad("hex root (valid base64 of 48 bytes)", "log\n1\n" + Rfc6962.EMPTY_ROOT.toHex() + "\n", "48 bytes, want 32"),
                bad("empty root", "log\n1\n\n", "line 3 is empty"),
                bad("empty extension line", "log\n1\n" + ROOT + "\n\next\n", "line 4 is empty"),
                bad("trailing blank line", "log\n1\n" + ROOT + "\n\n", "line 4 is empty"),
                bad("CRLF endings", "log\r\n1\r\n" + ROOT + "\r\n", "control character U+000D"),
                bad("CR in origin", "lo\rg\n1\n" + ROOT + "\n", "control character U+000D"),
                bad("tab in extension", "log\n1\n" + ROOT + "\na\tb\n", "control character U+0009"),
                bad("trailing garbage after last newline", "log\n1\n" + ROOT + "\ngarbage", "does not end with a newline"),
                bad("unpaired surrogate", "log\ud800\n1\n" + ROOT + "\n", "unpaired surrogate"));
    }

    private static Arguments bad(String name, String body, String reason) {
        return Arguments.of(name, body, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedBodies(String name, String body, String reason) {
        MalformedCheckpointException e = assertThrows(MalformedCheckpointException.class, () -> Checkpoint.parse(body));
        assertTrue(e.getMessage().contains(reason), () -> "message \"" + e.getMessage() + "\" lacks \"" + reason + "\"");
    }

    @Test
    void constructorRefusesWhatFormatCouldNotWrite() {
        Hash root = Rfc6962.EMPTY_ROOT;
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("", 0, root));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("a\nb", 0, root));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log\r", 0, root));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log", -1, root));
        assertThrows(NullPointerException.class, () -> new Checkpoint("log", 0, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log", 0, root, List.of("")));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("log", 0, root, List.of("a\nb")));
    }

    @Test
    void extensionsAreCopied() throws MalformedCheckpointException {
        List<String> extensions = new java.util.ArrayList<>(List.of("one"));
        Checkpoint checkpoint = new Checkpoint("log", 1, Rfc6962.EMPTY_ROOT, extensions);
        extensions.add("two");
        assertEquals(List.of("one"), checkpoint.extensions());
        assertEquals(checkpoint, Checkpoint.parse(checkpoint.format()));
    }
}
