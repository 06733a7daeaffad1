package dev.agentledger.server.proxy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.HostPort;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The action proxy's configuration, read from a YAML file (keys in snake_case; relative paths are
 * resolved against the file's folder): where it listens, its own SVID, how it reaches the
 * authority, where its encrypted secrets are, and one entry per upstream tool.
 *
 * @param listen the address of the mTLS listener, {@code host:port}
 * @param identity the proxy's X509-SVID (the listener's certificate, and each upstream's unless it has its own)
 * @param authority the authority it checks callers against and records calls to
 * @param secrets the encrypted secret store, when some upstream injects a secret
 * @param upstreams the tools behind the proxy, at least one
 * @param dataDir where the proxy keeps its call journal; without one, every call waits for its
 *     token's spend at the authority and for its record in the log (see {@code ActionProxy})
 */
public record ProxyConfig(String listen, Identity identity, Authority authority, Secrets secrets, List<Upstream> upstreams,
        String dataDir) {
    /** Validates; requires at least one upstream with distinct names and prefixes. */
    public ProxyConfig {
        HostPort.parse(Objects.requireNonNull(listen, "listen"));
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(authority, "authority");
        upstreams = List.copyOf(Objects.requireNonNull(upstreams, "upstreams"));
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("upstreams: configure at least one");
        }
        Set<String> names = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (Upstream upstream : upstreams) {
            if (!names.add(upstream.name()) || !prefixes.add(upstream.prefix())) {
                throw new IllegalArgumentException("upstream " + upstream.name() + ": names and prefixes must be distinct");
            }
            if (!authority.requireLogProof() && upstream.routes().stream().anyMatch(r -> Boolean.TRUE.equals(r.requiresApproval()))) {
                throw new IllegalArgumentException("upstream " + upstream.name() + " has a route that requires approval, which only"
                        + " the token's log proof shows: keep authority.require_log_proof");
            }
            if (upstream.inject() != null && secrets == null) {
                throw new IllegalArgumentException("upstream " + upstream.name() + " injects a secret: configure secrets.file");
            }
        }
    }

    /** The listener's address (port 0: any free port). */
    public HostPort listenAddress() {
        return HostPort.parse(listen);
    }

    /**
     * Reads and validates the YAML file at {@code file}.
     *
     * @throws ProxyConfigException if it cannot be read, is not YAML of this shape, or a value is invalid
     */
    public static ProxyConfig read(Path file) throws ProxyConfigException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        ProxyConfig config;
        try {
            config = yaml.readValue(Files.readAllBytes(file), ProxyConfig.class);
        } catch (JacksonException e) {
            String problem = switch (e.getCause()) {
                case NullPointerException missing -> "missing " + missing.getMessage();
                case IllegalArgumentException invalid -> invalid.getMessage();
                case null, default -> e.getOriginalMessage();
            };
            throw new ProxyConfigException(file + ": " + problem, e);
        } catch (IOException e) {
            throw new ProxyConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (config == null) {
            throw new ProxyConfigException(file + " is empty");
        }
        return config.resolvedAgainst(file.toAbsolutePath().getParent());
    }

    /** This configuration with every relative file path resolved against {@code dir}. */
    ProxyConfig resolvedAgainst(Path dir) {
        return new ProxyConfig(listen, identity.resolvedAgainst(dir), authority.resolvedAgainst(dir),
                secrets == null ? null : secrets.resolvedAgainst(dir),
                upstreams.stream().map(u -> u.resolvedAgainst(dir)).toList(), resolve(dir, dataDir));
    }

    private static String resolve(Path dir, String file) {
        return file == null ? null : dir.resolve(file).toString();
    }

    /**
     * An X509-SVID and its key as PEM files.
     *
     * @param certificate the certificate chain, leaf first
     * @param key the private key (PKCS#8 PEM)
     */
    public record Identity(String certificate, String key) {
        /** Requires both files. */
        public Identity {
            Objects.requireNonNull(certificate, "identity.certificate");
            Objects.requireNonNull(key, "identity.key");
        }

        Identity resolvedAgainst(Path dir) {
            return new Identity(resolve(dir, certificate), resolve(dir, key));
        }
    }

    /**
     * How to reach and trust the authority.
     *
     * @param publicUrl its public listener ({@code http://host:port}): bundle, token keys, revocation feed
     * @param privateUrl its private mTLS listener ({@code https://host:port}): consumption and records
     * @param caCertificate the CA that signed the private listener's certificate (PEM)
     * @param trustDomain the SPIFFE trust domain
     * @param logKey the log's note verifier key ({@code <origin>+<id>+<key>}); its name is the log's origin
     * @param revocationFreshnessSeconds how long without hearing the revocation feed before refusing (default 5)
     * @param requireLogProof whether every token must come with its {@code AgentLedger-Log-Proof} (default true)
     */
    public record Authority(String publicUrl, String privateUrl, String caCertificate, String trustDomain, String logKey,
            Integer revocationFreshnessSeconds, Boolean requireLogProof) {
        /** Validates the URLs and the key; fills the defaults. */
        public Authority {
            URI.create(Objects.requireNonNull(publicUrl, "authority.public_url"));
            if (!Objects.requireNonNull(privateUrl, "authority.private_url").startsWith("https://")) {
                throw new IllegalArgumentException("authority.private_url must be https://host:port, got " + privateUrl);
            }
            Objects.requireNonNull(caCertificate, "authority.ca_certificate");
            SpiffeId.ofTrustDomain(Objects.requireNonNull(trustDomain, "authority.trust_domain"));
            VerifierKey.parse(Objects.requireNonNull(logKey, "authority.log_key"));
            revocationFreshnessSeconds = revocationFreshnessSeconds == null ? 5 : revocationFreshnessSeconds;
            if (revocationFreshnessSeconds < 1) {
                throw new IllegalArgumentException("authority.revocation_freshness_seconds must be at least 1");
            }
            requireLogProof = requireLogProof == null || requireLogProof;
        }

        /** The revocation feed's freshness bound. */
        Duration revocationFreshness() {
            return Duration.ofSeconds(revocationFreshnessSeconds);
        }

        /** The issuer that signs capability tokens ({@code iss}). */
        String issuer() {
            return SpiffeId.of(trustDomain, "agentledger/issuer").value();
        }

        Authority resolvedAgainst(Path dir) {
            return new Authority(publicUrl, privateUrl, resolve(dir, caCertificate), trustDomain, logKey,
                    revocationFreshnessSeconds, requireLogProof);
        }
    }

    /**
     * The encrypted secret store.
     *
     * @param file the store (see {@link SecretStore})
     * @param passphraseFile a file holding the passphrase; when absent, the environment variable
     *     {@value SecretStore#PASSPHRASE_VARIABLE}
     */
    public record Secrets(String file, String passphraseFile) {
        /** Requires the file. */
        public Secrets {
            Objects.requireNonNull(file, "secrets.file");
        }

        Secrets resolvedAgainst(Path dir) {
            return new Secrets(resolve(dir, file), resolve(dir, passphraseFile));
        }
    }

    /**
     * One upstream tool.
     *
     * @param name its SPIFFE ID: the audience its capability tokens name, and the default resource
     * @param prefix the path prefix it is served under on the proxy (e.g. {@code /billing})
     * @param url its base URL; the path after the prefix is appended
     * @param identity the upstream's own SVID (ID = {@code name}), when not the proxy's
     * @param routes which method and path perform which action on which resource; anything else is refused
     * @param inject the stored secret to send upstream, if any
     * @param rateLimit calls per second and burst per caller SPIFFE ID, if limited
     * @param quota calls per period per caller SPIFFE ID, if limited
     * @param caCertificate for an {@code https} upstream signed by a private CA: the PEM file of the
     *     certificates to trust for it (instead of the JVM's trust store); the host name is checked
     *     against its certificate either way
     */
    public record Upstream(String name, String prefix, String url, Identity identity, List<Route> routes, Injection inject,
            RateLimit rateLimit, Quota quota, String caCertificate) {
        /** Validates. */
        public Upstream {
            SpiffeId.parse(Objects.requireNonNull(name, "upstreams.name"));
            if (Objects.requireNonNull(prefix, "upstreams.prefix").isEmpty() || !prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("upstream " + name + ": prefix must start and not end with '/', got '" + prefix + "'");
            }
            URI base = URI.create(Objects.requireNonNull(url, "upstreams.url"));
            if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
                throw new IllegalArgumentException("upstream " + name + ": url must be http or https, got " + url);
            }
            routes = List.copyOf(Objects.requireNonNull(routes, "upstreams.routes"));
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("upstream " + name + ": give at least one route");
            }
            if (caCertificate != null && !"https".equals(base.getScheme())) {
                throw new IllegalArgumentException("upstream " + name + ": ca_certificate applies to an https url only, got " + url);
            }
        }

        Upstream resolvedAgainst(Path dir) {
            return new Upstream(name, prefix, url, identity == null ? null : identity.resolvedAgainst(dir), routes, inject,
                    rateLimit, quota, caCertificate == null ? null : resolve(dir, caCertificate));
        }
    }

    /**
     * A method and path pattern, and what a call to it does.
     *
     * @param method the HTTP method ({@code GET}, {@code POST}, ...)
     * @param path the path under the upstream's prefix: literal segments, {@code {name}} for one
     *     segment, a final {@code **} for any rest
     * @param action the action a capability token must grant (e.g. {@code invoices:read})
     * @param resource the resource it must grant; {@code {name}} is replaced by that path segment;
     *     default the upstream's name
     * @param requiresApproval whether a call needs a token whose logged issuance cites a human
     *     approval (refused as {@code needs_approval} otherwise; needs the log proof); default false
     */
    public record Route(String method, String path, String action, String resource, Boolean requiresApproval) {
        /** Requires method, path and action. */
        public Route {
            Objects.requireNonNull(method, "routes.method");
            Objects.requireNonNull(path, "routes.path");
            Objects.requireNonNull(action, "routes.action");
        }
    }

    /**
     * A stored secret sent upstream on every forwarded call.
     *
     * @param secret the secret's name in the store
     * @param header the header to set (any the caller sent under that name is dropped)
     * @param format the header value, {@code {secret}} replaced by the secret (default {@code {secret}})
     */
    public record Injection(String secret, String header, String format) {
        /** Requires the secret and header; the format must contain {@code {secret}}. */
        public Injection {
            Objects.requireNonNull(secret, "inject.secret");
            Objects.requireNonNull(header, "inject.header");
            format = format == null ? "{secret}" : format;
            if (!format.contains("{secret}")) {
                throw new IllegalArgumentException("inject.format must contain {secret}, got " + format);
            }
        }
    }

    /**
     * A token bucket per caller: {@code perSecond} calls a second on average, at most {@code burst} at once.
     *
     * @param perSecond the refill rate, above 0
     * @param burst the bucket size, at least 1
     */
    public record RateLimit(double perSecond, int burst) {
        /** Validates. */
        public RateLimit {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("rate_limit: per_second must be above 0 and burst at least 1");
            }
        }
    }

    /**
     * A quota per caller: at most {@code calls} calls in any {@code perSeconds} seconds (as a bucket of that size refilled evenly).
     *
     * @param calls the calls allowed per period, at least 1
     * @param perSeconds the period in seconds, at least 1
     */
    public record Quota(int calls, long perSeconds) {
        /** Validates. */
        public Quota {
            if (calls < 1 || perSeconds < 1) {
                throw new IllegalArgumentException("quota: calls and per_seconds must be at least 1");
            }
        }
    }
}
