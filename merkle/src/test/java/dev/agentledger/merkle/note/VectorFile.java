package dev.agentledger.merkle.note;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentledger.merkle.SharedVectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Test vector files: flat JSON objects of string values, read from this project's test resources
 * or from the shared test vectors next to the repository ({@code ../shared/testvectors}).
 */
final class VectorFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> FLAT = new TypeReference<>() {};

    private VectorFile() {}

    /** Reads {@code src/test/resources/note/<name>}, which must exist. */
    static Map<String, String> resource(String name) {
        try (InputStream in = VectorFile.class.getResourceAsStream("/note/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource note/" + name + " is missing");
            }
            return JSON.readValue(in, FLAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finds {@code shared/testvectors/<name>}; empty when the shared directory is absent. */
    static Optional<Path> shared(String name) {
        return SharedVectors.find().map(dir -> dir.resolve(name)).filter(Files::isRegularFile);
    }

    /** Reads a shared vector file found by {@link #shared}. */
    static Map<String, String> read(Path file) {
        try {
            return JSON.readValue(file.toFile(), FLAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
