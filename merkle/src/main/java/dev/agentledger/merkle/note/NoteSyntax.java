package dev.agentledger.merkle.note;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The lexical rules of c2sp.org/signed-note, section "Format": strict UTF-8, no ASCII control
 * characters but newline, key names without Unicode spaces or {@code +}, and standard padded
 * base64 (RFC 4648 section 4) in its one canonical spelling.
 */
final class NoteSyntax {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    private NoteSyntax() {}

    /**
     * Returns what is wrong with {@code text} as note content (a control character other than
     * newline, or an unpaired surrogate), or empty if nothing is.
     */
    static Optional<String> textProblem(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') {
                return Optional.of(String.format("control character U+%04X at offset %d", (int) c, i));
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("unpaired surrogate at offset " + i);
            }
        }
        return Optional.empty();
    }

    /**
     * Decodes strict UTF-8 (no overlong forms, no encoded surrogates, nothing above U+10FFFF).
     *
     * @throws CharacterCodingException if {@code bytes} is not valid UTF-8
     */
    static String decodeUtf8(byte[] bytes, int offset, int length) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, offset, length))
                .toString();
    }

    /**
     * Encodes {@code text} as UTF-8.
     *
     * @throws CharacterCodingException if {@code text} holds an unpaired surrogate
     */
    static byte[] encodeUtf8(String text) throws CharacterCodingException {
        ByteBuffer out = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** Whether {@code name} is a valid key name: non-empty, no Unicode white space, no '+'. */
    static boolean isValidKeyName(String name) {
        return !name.isEmpty()
                && name.codePoints().noneMatch(cp -> cp == '+' || isUnicodeSpace(cp))
                && textProblem(name).isEmpty();
    }

    /** Throws {@link IllegalArgumentException} unless {@link #isValidKeyName} holds. */
    static String requireValidKeyName(String name) {
        if (!isValidKeyName(name)) {
            throw new IllegalArgumentException(
                    "invalid key name \"" + name + "\": want non-empty, no spaces, no '+'");
        }
        return name;
    }

    /**
     * The Unicode White_Space property, as Go's {@code unicode.IsSpace}: the ASCII spaces, NEL
     * (U+0085) and the separators of categories Zs, Zl and Zp (including no-break spaces).
     */
    private static boolean isUnicodeSpace(int cp) {
        return cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r' || cp == 0x85
                || Character.isSpaceChar(cp);
    }

    /** Standard padded base64. */
    static String encodeBase64(byte[] bytes) {
        return BASE64.encodeToString(bytes);
    }

    /**
     * Decodes standard padded base64, accepting only the canonical spelling: padding present,
     * unused trailing bits zero. The JDK decoder alone would also accept missing padding.
     *
     * @throws IllegalArgumentException if {@code text} is not canonical base64
     */
    static byte[] decodeBase64(String text) {
        byte[] bytes = BASE64_DECODER.decode(text);
        if (!BASE64.encodeToString(bytes).equals(text)) {
            throw new IllegalArgumentException("not canonical padded base64");
        }
        return bytes;
    }
}
