package dev.agentledger.verifierclient.tokens;

import java.util.List;
import java.util.Optional;

/**
 * The one rule set for action and resource patterns in delegations, written once for the issuer
 * and every verifier.
 *
 * <p>A <em>value</em> (the one action or resource of a capability token, e.g. {@code db:read} or
 * {@code spiffe://agents.example/tool/db}) is 1 to {@value #MAX_LENGTH} characters of the RFC 6749
 * section 3.3 scope-token alphabet ({@code %x21 / %x23-5B / %x5D-7E}: printable ASCII without
 * space, {@code "} and {@code \}) and no {@code *}. A <em>pattern</em> is a value, or a prefix
 * followed by one final {@code *} where the prefix is empty or ends in {@code :} or {@code /}:
 * {@code *} covers every value, {@code db:*} covers {@code db:read} and {@code db:table:x} but not
 * {@code db:} itself nor {@code dbadmin:drop}, and a pattern without {@code *} covers only itself.
 * A pattern covers another pattern when it covers every value the other covers
 * ({@code db:*} covers {@code db:table:*}; {@code db:read} never covers {@code db:*}).
 */
public final class AccessPattern {
    /** The longest value or pattern, in characters. */
    public static final int MAX_LENGTH = 256;

    private AccessPattern() {}

    /** True if {@code text} is a valid pattern. */
    public static boolean isPattern(String text) {
        if (!isTokenText(text)) {
            return false;
        }
        int star = text.indexOf('*');
        if (star < 0) {
            return true;
        }
        if (star != text.length() - 1) {
            return false;
        }
        return star == 0 || text.charAt(star - 1) == ':' || text.charAt(star - 1) == '/';
    }

    /** True if {@code text} is a valid value: a pattern without {@code *}. */
    public static boolean isValue(String text) {
        return isTokenText(text) && text.indexOf('*') < 0;
    }

    /**
     * True if {@code pattern} covers {@code other}, a value or a pattern (see the class rules).
     *
     * @throws IllegalArgumentException if either is not a valid pattern
     */
    public static boolean covers(String pattern, String other) {
        require(pattern);
        require(other);
        if (!pattern.endsWith("*")) {
            return pattern.equals(other);
        }
        String prefix = pattern.substring(0, pattern.length() - 1);
        if (other.endsWith("*")) {
            return other.startsWith(prefix);
        }
        return other.startsWith(prefix) && other.length() > prefix.length();
    }

    /**
     * The first of {@code others} that none of {@code patterns} covers; empty when each is covered
     * (so {@code others} narrows or equals {@code patterns}).
     *
     * @throws IllegalArgumentException if any element is not a valid pattern
     */
    public static Optional<String> firstUncovered(List<String> patterns, List<String> others) {
        for (String other : others) {
            if (patterns.stream().noneMatch(p -> covers(p, other))) {
                return Optional.of(other);
            }
        }
        return Optional.empty();
    }

    private static void require(String pattern) {
        if (!isPattern(pattern)) {
            throw new IllegalArgumentException("not an access pattern: " + pattern);
        }
    }

    private static boolean isTokenText(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }
}
