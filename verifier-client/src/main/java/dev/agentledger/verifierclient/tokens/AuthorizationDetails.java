package dev.agentledger.verifierclient.tokens;

import com.nimbusds.jose.util.JSONArrayUtils;
import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RFC 9396 rich authorization request details: a JSON array of objects, each with a string
 * {@code type} (section 2), e.g. {@code [{"type":"db_write","rows":1200}]}. Read strictly (no
 * duplicate names, integers only, nesting at most 32) and kept in one canonical JSON text, at
 * most {@value #MAX_LENGTH} characters.
 *
 * @param json the canonical JSON text
 */
public record AuthorizationDetails(String json) {
    /** The longest accepted text, in characters, before and after canonicalization. */
    public static final int MAX_LENGTH = 2048;

    /** Requires canonical text; use {@link #parse} for untrusted input. */
    public AuthorizationDetails {
        Objects.requireNonNull(json, "json");
    }

    /**
     * Reads and canonicalizes {@code text}.
     *
     * @throws TokenException (OVERSIZE) if longer than {@link #MAX_LENGTH}, (MALFORMED) if not a
     *     JSON array of objects that each have a string {@code type}
     */
    public static AuthorizationDetails parse(String text) throws TokenException {
        if (text.length() > MAX_LENGTH) {
            throw new TokenException(Reason.OVERSIZE, "authorization_details has " + text.length() + " characters, want at most " + MAX_LENGTH);
        }
        Object value;
        try {
            value = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, "authorization_details is not JSON: " + e.getMessage(), e);
        }
        return fromJson(value);
    }

    /** The details as JSON values (lists, maps, strings, longs, booleans, nulls), for a claims set. */
    public List<Object> toJson() {
        return plainList((List<?>) Json.parse(json));
    }

    /** The {@code type} of each element, in order. */
    public List<String> types() {
        return toJson().stream().map(o -> (String) ((Map<?, ?>) o).get("type")).toList();
    }

    /** The details from a parsed JSON value (a claim of a verified token, or {@link #parse}'s input). */
    static AuthorizationDetails fromJson(Object value) throws TokenException {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, "authorization_details is not a non-empty JSON array (RFC 9396 section 2)");
        }
        for (Object element : list) {
            if (!(element instanceof Map<?, ?> object) || !(object.get("type") instanceof String type) || type.isEmpty()) {
                throw new TokenException(Reason.MALFORMED, "an authorization_details element is not an object with a string type");
            }
        }
        String canonical = JSONArrayUtils.toJSONString(plainList(list));
        if (canonical.length() > MAX_LENGTH) {
            throw new TokenException(Reason.OVERSIZE, "authorization_details has " + canonical.length() + " characters, want at most " + MAX_LENGTH);
        }
        return new AuthorizationDetails(canonical);
    }

    private static List<Object> plainList(List<?> list) {
        List<Object> out = new ArrayList<>();
        list.forEach(v -> out.add(plain(v)));
        return out;
    }

    private static Object plain(Object value) {
        if (value == Json.NULL) {
            return null;
        }
        if (value instanceof List<?> list) {
            return plainList(list);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, plain(v)));
            return out;
        }
        return value;
    }
}
