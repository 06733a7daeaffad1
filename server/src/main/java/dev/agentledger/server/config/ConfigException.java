package dev.agentledger.server.config;

import java.nio.file.Path;

/** A configuration file that cannot be used: unreadable, not YAML, an unknown key or a bad value, named with the file. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The file, and the dotted key ({@code listeners.public.address}) or empty for the whole file. */
    private final transient Path file;
    private final String key;

    /** A problem with {@code key} (dotted, or empty for the whole file) in {@code file}. */
    public ConfigException(Path file, String key, String problem, Throwable cause) {
        super(file + (key.isEmpty() ? "" : ": key " + key) + ": " + problem, cause);
        this.file = file;
        this.key = key;
    }

    /** The configuration file. */
    public Path file() {
        return file;
    }

    /** The dotted key the problem is with; empty when it is the whole file. */
    public String key() {
        return key;
    }
}
