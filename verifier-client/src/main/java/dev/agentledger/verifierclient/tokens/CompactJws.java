package dev.agentledger.verifierclient.tokens;

import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * One compact JWS (RFC 7515 section 7.1) read strictly, before any key is touched: at most
 * {@link #MAX_TOKEN_LENGTH} characters, three canonical unpadded base64url parts, a header of
 * exactly {@code alg}, {@code kid} and {@code typ} (so {@code crit}, {@code jwk}, {@code jku},
 * {@code x5u}, {@code x5c} and every other parameter are refused, RFC 8725 section 3.1 and 3.5),
 * {@code alg} {@code ES256} only (RFC 7518 section 3.4, a 64-byte R || S signature) and UTF-8
 * JSON without duplicate names. The algorithm is never taken from the token.
 */
final class CompactJws {
    /** The longest token read, in characters. */
    static final int MAX_TOKEN_LENGTH = 8 * 1024;
    private static final Set<String> HEADER_NAMES = Set.of("alg", "kid", "typ");
    private static final int SIGNATURE_LENGTH = 64;
    private static final String P1363_ALGORITHM = "SHA256withECDSAinP1363Format";

    private final String signingInput;
    private final String typ;
    private final String kid;
    private final String payload;
    private final byte[] signature;

    private CompactJws(String signingInput, String typ, String kid, String payload, byte[] signature) {
        this.signingInput = signingInput;
        this.typ = typ;
        this.kid = kid;
        this.payload = payload;
        this.signature = signature;
    }

    /**
     * Reads the structure and header of {@code token}; the payload is not trusted until {@link #verify}.
     *
     * @throws TokenException (OVERSIZE, MALFORMED, HEADER, ALGORITHM) as the class says
     */
    static CompactJws parse(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, "token is empty");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException(Reason.OVERSIZE, "token has " + token.length() + " characters, want at most " + MAX_TOKEN_LENGTH);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenException(Reason.MALFORMED, "token has " + parts.length + " parts, want 3 (a compact JWS)");
        }
        Map<String, Object> header = object(text(decode(parts[0], "header")), "header");
        if (!HEADER_NAMES.equals(header.keySet())) {
            throw new TokenException(Reason.HEADER, "header has " + header.keySet() + ", want exactly " + HEADER_NAMES);
        }
        if (!"ES256".equals(header.get("alg"))) {
            throw new TokenException(Reason.ALGORITHM, "alg is " + printable(header.get("alg")) + ", want ES256");
        }
        if (!(header.get("typ") instanceof String typ) || !(header.get("kid") instanceof String kid)) {
            throw new TokenException(Reason.MALFORMED, "typ and kid are not strings");
        }
        byte[] signature = decode(parts[2], "signature");
        if (signature.length != SIGNATURE_LENGTH) {
            throw new TokenException(Reason.SIGNATURE, "signature has " + signature.length + " bytes, want " + SIGNATURE_LENGTH + " (ES256 R || S)");
        }
        return new CompactJws(parts[0] + "." + parts[1], typ, kid, parts[1], signature);
    }

    /** The {@code typ} header. */
    String typ() {
        return typ;
    }

    /** The {@code kid} header. */
    String kid() {
        return kid;
    }

    /**
     * The claims, once the ES256 signature verifies with {@code key}, checked with
     * {@code provider}'s ECDSA (null: the JCA's choice).
     *
     * @throws TokenException (SIGNATURE) if it does not, (MALFORMED) if the payload is not a JSON object
     */
    Map<String, Object> verify(ECPublicKey key, Provider provider) throws TokenException {
        boolean valid;
        try {
            Signature verifier = provider == null ? Signature.getInstance(P1363_ALGORITHM) : Signature.getInstance(P1363_ALGORITHM, provider);
            verifier.initVerify(key);
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new TokenException(Reason.SIGNATURE, "ES256 signature cannot be checked: " + e.getMessage(), e);
        }
        return claims(valid);
    }

    /**
     * The claims, once the ES256 signature verifies with {@code key}.
     *
     * @throws TokenException (SIGNATURE) if it does not, (MALFORMED) if the payload is not a JSON object
     */
    Map<String, Object> verify(Es256Key key) throws TokenException {
        return claims(key.verifies(signingInput.getBytes(StandardCharsets.US_ASCII), signature));
    }

    private Map<String, Object> claims(boolean valid) throws TokenException {
        if (!valid) {
            throw new TokenException(Reason.SIGNATURE, "ES256 signature does not verify with key " + kid);
        }
        return object(text(decode(payload, "payload")), "payload");
    }

    private static byte[] decode(String part, String what) throws TokenException {
        if (!base64url(part) || part.length() % 4 == 1) {
            throw new TokenException(Reason.MALFORMED, what + " is not unpadded base64url");
        }
        byte[] bytes = Base64.getUrlDecoder().decode(part);
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(part)) {
            throw new TokenException(Reason.MALFORMED, what + " is not canonical base64url (stray low bits)");
        }
        return bytes;
    }

    /** Whether {@code part} has only the base64url alphabet (RFC 4648 section 5): a loop, several times faster than a regex here. */
    private static boolean base64url(String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] utf8) throws TokenException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenException(Reason.MALFORMED, "not UTF-8", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json, String what) throws TokenException {
        Object value;
        try {
            value = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, what + " is not JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new TokenException(Reason.MALFORMED, what + " is not a JSON object");
        }
        return (Map<String, Object>) map;
    }

    /** A header value for a message: strings quoted and cut, other JSON kinds by name. */
    static String printable(Object value) {
        if (value instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return value == null ? "missing" : value == Json.NULL ? "null" : value.getClass().getSimpleName();
    }
}
