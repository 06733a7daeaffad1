package dev.agentledger.merkle.note;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Test vector files: flat JSON objects of string values, read from this project's test resources
 * or from the shared test vectors next to the repository ({@code ../shared/testvectors}). There is
 * no JSON library on this module's test class path; the files are simple enough to read by hand.
 */
final class VectorFile {
    private VectorFile() {}

    /** Reads {@code src/test/resources/note/<name>}, which must exist. */
    static Map<String, String> resource(String name) {
        try (InputStream in = VectorFile.class.getResourceAsStream("/note/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource note/" + name + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Finds {@code shared/testvectors/<name>} in the working directory or any ancestor of it.
     * Maven runs tests in the module directory, so from {@code <repo>/merkle} this finds
     * {@code <repo>/../shared}; empty when the shared directory is absent.
     */
    static Optional<Path> shared(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("testvectors").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Reads a shared vector file found by {@link #shared}. */
    static Map<String, String> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@code {"key": "value", ...}} with JSON string escapes; nothing else is supported. */
    static Map<String, String> parse(String json) {
        Reader reader = new Reader(json);
        Map<String, String> values = new LinkedHashMap<>();
        reader.expect('{');
        if (!reader.consume('}')) {
            do {
                String key = reader.string();
                reader.expect(':');
                values.put(key, reader.string());
            } while (reader.consume(','));
            reader.expect('}');
        }
        reader.end();
        return values;
    }

    private static final class Reader {
        private final String json;
        private int at;

        Reader(String json) {
            this.json = json;
        }

        void skipSpace() {
            while (at < json.length() && " \t\r\n".indexOf(json.charAt(at)) >= 0) {
                at++;
            }
        }

        boolean consume(char c) {
            skipSpace();
            if (at < json.length() && json.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!consume(c)) {
                throw new IllegalArgumentException("JSON: want '" + c + "' at offset " + at);
            }
        }

        void end() {
            skipSpace();
            if (at != json.length()) {
                throw new IllegalArgumentException("JSON: trailing data at offset " + at);
            }
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = json.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = json.charAt(at++);
                switch (escaped) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'u' -> {
                        out.append((char) Integer.parseInt(json.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw new IllegalArgumentException("JSON: bad escape \\" + escaped);
                }
            }
        }
    }
}
