package dev.agentledger.issuer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A one-time join token: lets a freshly spawned agent obtain its first X509-SVID without any other
 * credential. It is a bearer secret: hand it to the one instance it was made for, never log it.
 * The log records its id and SHA-256 only. Format: {@code <id>.<secret>}, both base64url without
 * padding (16 and 32 random bytes).
 *
 * @param token the whole token (secret)
 * @param expires when it stops working unused
 */
public record JoinToken(String token, Instant expires) {
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}");

    /** Requires a well-formed token. */
    public JoinToken {
        Objects.requireNonNull(expires, "expires");
        if (!wellFormed(token)) {
            throw new IllegalArgumentException("not a join token (want <22 base64url>.<43 base64url>)");
        }
    }

    /** True if {@code token} has the join token format (says nothing of its validity). */
    public static boolean wellFormed(String token) {
        return token != null && FORMAT.matcher(token).matches();
    }

    /** The public id part, as logged. */
    public String id() {
        return idOf(token);
    }

    /** The public id part of a well-formed token. */
    static String idOf(String token) {
        return token.substring(0, token.indexOf('.'));
    }

    /** SHA-256 of the token's ASCII bytes: what the log records. */
    public byte[] sha256() {
        return Digests.sha256(token.getBytes(StandardCharsets.US_ASCII));
    }

    /** Does not print the secret. */
    @Override
    public String toString() {
        return "JoinToken[id=" + id() + ", expires=" + expires + "]";
    }
}
