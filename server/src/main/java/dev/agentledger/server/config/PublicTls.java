package dev.agentledger.server.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the public listener is secured. On a loopback address it serves plain HTTP; on any other
 * address HTTPS with {@code certificate} and {@code key} when given, else with a certificate the
 * bootstrap CA issues for the listener's names, unless {@code insecureHttp} asks for plain HTTP.
 *
 * @param certificate a PEM certificate chain, leaf first (with {@code key})
 * @param key the leaf's PEM private key, plain or encrypted under the key passphrase (with {@code certificate})
 * @param insecureHttp plain HTTP on a non-loopback address ({@code --insecure-public-http}); warned about
 * @param names extra DNS names or IP addresses for the issued certificate (the listener's host is always in)
 */
public record PublicTls(Optional<Path> certificate, Optional<Path> key, boolean insecureHttp, java.util.List<String> names) {
    /** No certificate given, HTTPS on non-loopback addresses. */
    public static final PublicTls DEFAULT = new PublicTls(Optional.empty(), Optional.empty(), false, java.util.List.of());

    /** Validates: certificate and key come together. */
    public PublicTls {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        names = java.util.List.copyOf(names);
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("listeners.public.tls: give both certificate and key, or neither");
        }
    }
}
