package dev.agentledger.verifierclient.internal;

/** Writes JSON string literals (RFC 8259 section 7) for the client's small documents (monitor records, log proof headers). */
public final class JsonText {
    private JsonText() {}

    /** Appends {@code value} as a quoted JSON string, escaping quotes, backslashes and controls. */
    public static void quote(StringBuilder out, String value) {
        out.append('"');
        if (isPlain(value)) {
            out.append(value).append('"');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** True if no character of {@code value} needs an escape: the common case, copied whole. */
    private static boolean isPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** {@code value} as a quoted JSON string. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        quote(out, value);
        return out.toString();
    }
}
