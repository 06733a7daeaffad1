package dev.agentledger.server.bootstrap;

import dev.agentledger.proto.SpiffeId;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What a data directory is fixed to at its first start: the trust domain and the log's origin. A
 * later start with other values would sign checkpoints for another log, so it is refused.
 *
 * @param trustDomain the SPIFFE trust domain, e.g. {@code agentledger.local}
 * @param origin the checkpoint origin line, e.g. {@code agentledger.local/log}
 */
public record Settings(String trustDomain, String origin) {
    /** The trust domain when none is given. */
    public static final String DEFAULT_TRUST_DOMAIN = "agentledger.local";

    /** Validates both values. */
    public Settings {
        SpiffeId.ofTrustDomain(trustDomain);
        if (origin == null || origin.isEmpty() || origin.chars().anyMatch(c -> c <= ' ' || c == '+')) {
            throw new IllegalArgumentException("origin \"" + origin
                    + "\" must be non-empty without spaces or '+' (it is also the checkpoint key's name)");
        }
    }

    /** The default origin for a trust domain, {@code <trustDomain>/log}. */
    public static String defaultOrigin(String trustDomain) {
        return trustDomain + "/log";
    }

    /** The settings stored in {@code file}, if it exists. */
    static Optional<Settings> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String trustDomain = properties.getProperty("trust-domain");
        String origin = properties.getProperty("origin");
        if (trustDomain == null || origin == null) {
            throw new IOException(file + " lacks trust-domain or origin");
        }
        return Optional.of(new Settings(trustDomain, origin));
    }

    /** Writes the settings to {@code file}, which must not exist yet. */
    void write(Path file) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("trust-domain", trustDomain);
        properties.setProperty("origin", origin);
        StringWriter out = new StringWriter();
        properties.store(out, "Fixed at the first start of this data directory; do not edit.");
        PrivateFiles.writePublic(file, out.toString().getBytes(StandardCharsets.UTF_8));
    }
}
