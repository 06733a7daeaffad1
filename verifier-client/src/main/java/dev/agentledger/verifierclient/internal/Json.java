package dev.agentledger.verifierclient.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of RFC 8259 JSON into {@link Map}, {@link List}, {@link String}, {@link Long}
 * (integers only; fractions and exponents are refused), {@link Boolean} and {@link #NULL}, for the
 * few small documents the client reads. Duplicate keys, trailing data and nesting deeper than 32
 * are refused.
 */
public final class Json {
    /** The JSON {@code null}. */
    public static final Object NULL = new Object();

    private static final int MAX_DEPTH = 32;

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value that makes up all of {@code text}.
     *
     * @throws IllegalArgumentException with the offset and what was wrong
     */
    public static Object parse(String text) {
        Json json = new Json(text);
        Object value = json.value(0);
        json.skipSpace();
        if (json.at != text.length()) {
            throw json.error("trailing data");
        }
        return value;
    }

    /**
     * {@code value} (a parsed JSON value) as an object.
     *
     * @throws IllegalArgumentException naming {@code what} if it is not one
     */
    public static Map<?, ?> object(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(what + " is not a JSON object");
        }
        return map;
    }

    /**
     * Member {@code name} of {@code object}, a string.
     *
     * @throws IllegalArgumentException if it is absent or not a string
     */
    public static String string(Map<?, ?> object, String name) {
        if (!(object.get(name) instanceof String value)) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return value;
    }

    /**
     * Member {@code name} of {@code object}, an integer.
     *
     * @throws IllegalArgumentException if it is absent or not an integer
     */
    public static long integer(Map<?, ?> object, String name) {
        if (!(object.get(name) instanceof Long value)) {
            throw new IllegalArgumentException(name + " is not an integer");
        }
        return value;
    }

    /**
     * Member {@code name} of {@code object}, a list of strings.
     *
     * @throws IllegalArgumentException if it is absent, not a list, or holds anything but strings
     */
    public static List<String> strings(Map<?, ?> object, String name) {
        if (!(object.get(name) instanceof List<?> listed)) {
            throw new IllegalArgumentException(name + " is not a list");
        }
        List<String> out = new ArrayList<>(listed.size());
        for (Object element : listed) {
            if (!(element instanceof String text)) {
                throw new IllegalArgumentException(name + " holds a non-string");
            }
            out.add(text);
        }
        return out;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        skipSpace();
        if (at >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(at);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        at++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("want a string key");
            }
            String key = string();
            skipSpace();
            expect(':');
            if (map.put(key, value(depth + 1)) != null) {
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return list;
        }
        while (true) {
            list.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                at++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        at++;
        int start = at;
        // The common case, no escape: one substring instead of a character-by-character copy.
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '"') {
                return text.substring(start, at++);
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            at++;
        }
        StringBuilder out = new StringBuilder(at - start + 16).append(text, start, at);
        while (true) {
            if (at >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = at < text.length() ? text.charAt(at++) : 0;
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    at += 4;
                }
                default -> throw error("bad escape");
            }
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw error("want " + word);
        }
        at += word.length();
        return value;
    }

    private Long number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        while (at < text.length() && Character.isDigit(text.charAt(at)) && text.charAt(at) < 0x80) {
            at++;
        }
        String digits = text.substring(start, at);
        if (digits.isEmpty() || digits.equals("-") || (digits.replace("-", "").length() > 1 && digits.replace("-", "").startsWith("0"))) {
            throw error("want a value");
        }
        if (at < text.length() && (text.charAt(at) == '.' || text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            throw error("only integers are accepted");
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error("integer " + digits + " out of range");
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : 0;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("want '" + c + "'");
        }
        at++;
    }

    private void skipSpace() {
        while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
            at++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON at offset " + at + ": " + what);
    }
}
