package dev.agentledger.verifierclient.tokens;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Typed reads of a verified JWT claims set (RFC 7519 section 4), each refusing a missing or
 * mistyped claim as {@link Reason#MALFORMED}; also the RFC 8693 section 4.1 {@code act} nesting,
 * read and written here only.
 */
final class Claims {
    private final Map<String, Object> claims;

    private Claims(Map<String, Object> claims) {
        this.claims = claims;
    }

    /**
     * The claims, which must have every name of {@code required}, and others only from {@code optional}.
     *
     * @throws TokenException (MALFORMED) naming the missing or unknown claims
     */
    static Claims of(Map<String, Object> claims, Set<String> required, Set<String> optional) throws TokenException {
        if (!claims.keySet().containsAll(required)) {
            List<String> missing = required.stream().filter(n -> !claims.containsKey(n)).sorted().toList();
            throw new TokenException(Reason.MALFORMED, "claims " + missing + " are missing");
        }
        Predicate<String> unknown = name -> !required.contains(name) && !optional.contains(name);
        for (String name : claims.keySet()) {
            if (unknown.test(name)) {
                throw new TokenException(Reason.MALFORMED, "claims " + claims.keySet().stream().filter(unknown).sorted().toList()
                        + " are not part of this token type");
            }
        }
        return new Claims(claims);
    }

    boolean has(String name) {
        return claims.containsKey(name);
    }

    Object raw(String name) {
        return claims.get(name);
    }

    String string(String name) throws TokenException {
        if (!(claims.get(name) instanceof String value) || value.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, name + " is not a non-empty string");
        }
        return value;
    }

    Optional<String> optionalString(String name) throws TokenException {
        return has(name) ? Optional.of(string(name)) : Optional.empty();
    }

    SpiffeId spiffeId(String name) throws TokenException {
        return spiffeId(string(name), name);
    }

    long number(String name) throws TokenException {
        if (!(claims.get(name) instanceof Long value)) {
            throw new TokenException(Reason.MALFORMED, name + " is not an integer");
        }
        return value;
    }

    /** A NumericDate (RFC 7519 section 2), whole seconds. */
    Instant time(String name) throws TokenException {
        long seconds = number(name);
        if (seconds < 0 || seconds > 253402300799L) {
            throw new TokenException(Reason.MALFORMED, name + " " + seconds + " is not a time before year 10000");
        }
        return Instant.ofEpochSecond(seconds);
    }

    List<String> strings(String name) throws TokenException {
        if (!(claims.get(name) instanceof List<?> list)) {
            throw new TokenException(Reason.MALFORMED, name + " is not an array");
        }
        List<String> out = new ArrayList<>();
        for (Object value : list) {
            if (!(value instanceof String s)) {
                throw new TokenException(Reason.MALFORMED, name + " has an element that is not a string");
            }
            out.add(s);
        }
        return out;
    }

    /** A space-separated scope (RFC 6749 section 3.3), split; empty elements are refused. */
    List<String> scope(String name) throws TokenException {
        List<String> out = List.of(string(name).split(" ", -1));
        if (out.contains("")) {
            throw new TokenException(Reason.MALFORMED, name + " has an empty scope-token (double, leading or trailing space)");
        }
        return out;
    }

    /** The {@code act} claim: the actors from the innermost (earliest) to the outermost (current). */
    List<SpiffeId> actors(String name) throws TokenException {
        List<SpiffeId> outermostFirst = new ArrayList<>();
        Object act = claims.get(name);
        while (act != null) {
            if (outermostFirst.size() == DelegationChain.MAX_HOPS) {
                throw new TokenException(Reason.DEPTH, name + " nests more than " + DelegationChain.MAX_HOPS + " actors");
            }
            if (!(act instanceof Map<?, ?> level) || !(level.get("sub") instanceof String sub)
                    || !Set.of("sub", "act").containsAll(level.keySet())) {
                throw new TokenException(Reason.MALFORMED, name + " is not an RFC 8693 act object of sub and an optional act");
            }
            outermostFirst.add(spiffeId(sub, name + ".sub"));
            act = level.get("act");
        }
        if (outermostFirst.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, name + " is missing");
        }
        return List.copyOf(outermostFirst.reversed());
    }

    /** The {@code act} claim of {@code actors} (earliest first): the last one outermost. */
    static Map<String, Object> act(List<SpiffeId> actors) {
        Map<String, Object> act = null;
        for (SpiffeId actor : actors) {
            Map<String, Object> level = new LinkedHashMap<>();
            level.put("sub", actor.value());
            if (act != null) {
                level.put("act", act);
            }
            act = level;
        }
        return act;
    }

    private static SpiffeId spiffeId(String value, String name) throws TokenException {
        try {
            return SpiffeId.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, name + " is not a SPIFFE ID: " + e.getMessage(), e);
        }
    }
}
