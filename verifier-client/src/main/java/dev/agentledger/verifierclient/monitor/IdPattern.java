package dev.agentledger.verifierclient.monitor;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An expected SPIFFE ID pattern: {@code re:<regex>} is a Java regular expression that must match the
 * whole ID; anything else is a glob where {@code *} matches within one path segment (no {@code /})
 * and {@code **} matches anything, e.g. {@code spiffe://agentledger.local/agent/**}.
 *
 * @param text the pattern as given
 * @param regex the compiled whole-ID expression
 */
record IdPattern(String text, Pattern regex) {
    private static final String REGEX_PREFIX = "re:";

    /**
     * Compiles a pattern.
     *
     * @throws IllegalArgumentException if it is empty or a {@code re:} pattern does not compile
     */
    static IdPattern parse(String text) {
        if (text.isEmpty() || text.equals(REGEX_PREFIX)) {
            throw new IllegalArgumentException("empty SPIFFE ID pattern");
        }
        if (text.startsWith(REGEX_PREFIX)) {
            try {
                return new IdPattern(text, Pattern.compile(text.substring(REGEX_PREFIX.length())));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("pattern \"" + text + "\" is not a regular expression: "
                        + e.getDescription(), e);
            }
        }
        StringBuilder regex = new StringBuilder();
        int literal = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) != '*') {
                continue;
            }
            regex.append(Pattern.quote(text.substring(literal, i)));
            if (i + 1 < text.length() && text.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else {
                regex.append("[^/]*");
            }
            literal = i + 1;
        }
        regex.append(Pattern.quote(text.substring(literal)));
        return new IdPattern(text, Pattern.compile(regex.toString()));
    }

    /** True if the whole of {@code spiffeId} matches. */
    boolean matches(String spiffeId) {
        return regex.matcher(spiffeId).matches();
    }
}
