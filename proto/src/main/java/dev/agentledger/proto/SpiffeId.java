package dev.agentledger.proto;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * A SPIFFE ID, {@code spiffe://<trust-domain>[/<path>]}, checked against the SPIFFE ID standard
 * (section 2): lower-case trust domain of letters, digits, dots, dashes and underscores; path
 * segments of letters, digits, dots, dashes and underscores, none empty, "." or ".."; no query,
 * fragment, port or user info; at most 2048 bytes.
 *
 * @param value the ID in URI form
 */
public record SpiffeId(String value) {
    private static final String SCHEME = "spiffe://";
    private static final int MAX_BYTES = 2048;
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
    private static final Pattern SEGMENT = Pattern.compile("[a-zA-Z0-9._-]+");

    /** Validates; throws {@link IllegalArgumentException} saying what is wrong. */
    public SpiffeId {
        if (value == null || !value.startsWith(SCHEME)) {
            throw new IllegalArgumentException("SPIFFE ID " + quote(value) + " does not start with " + SCHEME);
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("SPIFFE ID is longer than " + MAX_BYTES + " bytes");
        }
        String rest = value.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String trustDomain = slash < 0 ? rest : rest.substring(0, slash);
        if (!TRUST_DOMAIN.matcher(trustDomain).matches()) {
            throw new IllegalArgumentException("SPIFFE ID " + quote(value) + " has trust domain " + quote(trustDomain)
                    + ", want lower-case letters, digits, '.', '-' or '_'");
        }
        if (slash >= 0) {
            for (String segment : rest.substring(slash + 1).split("/", -1)) {
                if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException("SPIFFE ID " + quote(value) + " has path segment "
                            + quote(segment) + ", want letters, digits, '.', '-' or '_' (not empty, '.' or '..')");
                }
            }
        }
    }

    /** Parses a SPIFFE ID; see the record's rules. */
    public static SpiffeId parse(String value) {
        return new SpiffeId(value);
    }

    /** The ID of trust domain {@code trustDomain} itself, {@code spiffe://<trustDomain>}. */
    public static SpiffeId ofTrustDomain(String trustDomain) {
        return new SpiffeId(SCHEME + trustDomain);
    }

    /** The ID {@code spiffe://<trustDomain>/<path>}; {@code path} has no leading slash. */
    public static SpiffeId of(String trustDomain, String path) {
        return new SpiffeId(SCHEME + trustDomain + "/" + path);
    }

    /** The trust domain name. */
    public String trustDomain() {
        String rest = value.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** The path with its leading slash ({@code /agent/x}), or the empty string for a trust domain's own ID. */
    public String path() {
        String rest = value.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? "" : rest.substring(slash);
    }

    /** The ID as a URI, for certificate SANs. */
    public URI toUri() {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("a validated SPIFFE ID is a URI", e);
        }
    }

    @Override
    public String toString() {
        return value;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }
}
