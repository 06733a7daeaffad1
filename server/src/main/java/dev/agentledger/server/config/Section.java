package dev.agentledger.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * One mapping of a configuration file being read: hands out its values by key, converted and
 * checked, and remembers which keys were asked for so that {@link #finish()} refuses the others.
 */
final class Section {
    private final Path file;
    private final String path;
    private final ObjectNode node;
    private final Set<String> known = new LinkedHashSet<>();

    Section(Path file, String path, ObjectNode node) {
        this.file = file;
        this.path = path;
        this.node = node;
    }

    /** The file read. */
    Path file() {
        return file;
    }

    /** A key's value converted by {@code parse}; its {@link IllegalArgumentException} names the key. */
    <T> Optional<T> value(String key, Function<String, T> parse) throws ConfigException {
        Optional<JsonNode> value = node(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().isValueNode()) {
            throw error(key, "want a single value, got a " + value.get().getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            return Optional.of(parse.apply(value.get().asText()));
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    Optional<String> string(String key) throws ConfigException {
        return value(key, s -> {
            if (s.isBlank()) {
                throw new IllegalArgumentException("empty value");
            }
            return s;
        });
    }

    Optional<Path> path(String key) throws ConfigException {
        return string(key).map(Path::of);
    }

    Optional<Integer> integer(String key) throws ConfigException {
        return value(key, s -> {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + s + "\" is not a whole number");
            }
        });
    }

    Optional<Boolean> bool(String key) throws ConfigException {
        return value(key, s -> switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not true or false");
        });
    }

    Optional<Duration> duration(String key) throws ConfigException {
        return value(key, Durations::parse);
    }

    /** A nested mapping, empty when the key is absent. */
    Optional<Section> section(String key) throws ConfigException {
        Optional<JsonNode> value = node(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!(value.get() instanceof ObjectNode object)) {
            throw error(key, "want a mapping of keys to values");
        }
        return Optional.of(new Section(file, dotted(key), object));
    }

    /** A list of single values, each converted by {@code parse}. */
    <T> Optional<List<T>> list(String key, Function<String, T> parse) throws ConfigException {
        Optional<JsonNode> value = node(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().isArray()) {
            throw error(key, "want a list");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < value.get().size(); i++) {
            JsonNode item = value.get().get(i);
            if (!item.isValueNode()) {
                throw error(key + "[" + i + "]", "want a single value");
            }
            try {
                out.add(parse.apply(item.asText()));
            } catch (IllegalArgumentException e) {
                throw error(key + "[" + i + "]", e.getMessage());
            }
        }
        return Optional.of(out);
    }

    /** A list of mappings. */
    Optional<List<Section>> sections(String key) throws ConfigException {
        Optional<JsonNode> value = node(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (!value.get().isArray()) {
            throw error(key, "want a list");
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < value.get().size(); i++) {
            if (!(value.get().get(i) instanceof ObjectNode object)) {
                throw error(key + "[" + i + "]", "want a mapping of keys to values");
            }
            out.add(new Section(file, dotted(key + "[" + i + "]"), object));
        }
        return Optional.of(out);
    }

    /**
     * Refuses the keys nobody asked for.
     *
     * @throws ConfigException naming the first unknown key and the known ones
     */
    void finish() throws ConfigException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ConfigException(file, dotted(name), "unknown key" + (known.isEmpty() ? "" : " (known here: "
                        + String.join(", ", known) + ")"), null);
            }
        }
    }

    /** A problem with {@code key} of this section. */
    ConfigException error(String key, String problem) {
        return new ConfigException(file, dotted(key), problem, null);
    }

    private Optional<JsonNode> node(String key) {
        known.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    private String dotted(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
