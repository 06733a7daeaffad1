package dev.agentledger.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.DataDir;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The server's YAML configuration file ({@code serve --config FILE}): every setting of
 * {@link ServerConfig} under kebab-case keys (see {@code docs/agentledger.yaml}). A file overrides
 * the embedded defaults and is overridden by command-line flags. Unknown keys and bad values are
 * refused with the file and the dotted key named.
 */
public final class ConfigFile {
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Tuning's setting names and their keys in the file. */
    private static final java.util.Map<String, String> TUNING_KEYS = java.util.Map.ofEntries(
            java.util.Map.entry("key-lifetime", "ttl.key-lifetime"), java.util.Map.entry("bundle-refresh-hint", "ttl.bundle-refresh-hint"),
            java.util.Map.entry("approval", "ttl.approval"), java.util.Map.entry("revocation-retention", "ttl.revocation-retention"),
            java.util.Map.entry("revocation-heartbeat", "revocation.heartbeat"),
            java.util.Map.entry("revocation-subscriber-queue", "revocation.subscriber-queue"),
            java.util.Map.entry("revocation-sse-streams", "revocation.sse-streams"),
            java.util.Map.entry("revocation-coalesce", "revocation.coalesce"),
            java.util.Map.entry("witness-interval", "witnessing.interval"), java.util.Map.entry("witness-timeout", "witnessing.timeout"),
            java.util.Map.entry("request-timeout", "connections.request-timeout"),
            java.util.Map.entry("idle-timeout", "connections.idle-timeout"),
            java.util.Map.entry("max-per-listener", "connections.max-per-listener"));

    private ConfigFile() {}

    /**
     * {@code defaults} with every setting {@code file} gives replaced.
     *
     * @throws ConfigException if the file cannot be read, is not a YAML mapping, or has an unknown
     *     key or a bad value (the message names the file and the key)
     */
    public static ServerConfig read(Path file, ServerConfig defaults) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, "", "not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(file, "", "cannot read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return defaults;
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ConfigException(file, "", "want a mapping of keys to values at the top", null);
        }
        Section top = new Section(file, "", object);
        ServerConfig config = apply(top, defaults);
        top.finish();
        return config;
    }

    private static ServerConfig apply(Section top, ServerConfig d) throws ConfigException {
        DataDir data = top.path("data").map(DataDir::new).orElse(d.dataDir());
        Optional<String> trustDomain = top.string("trust-domain").or(d::trustDomain);
        Optional<String> origin = top.string("origin").or(d::origin);
        HostPort publicAddress = d.publicAddress();
        HostPort privateAddress = d.privateAddress();
        int maxMessageBytes = d.maxMessageBytes();
        PublicTls publicTls = d.publicTls();
        Optional<Section> listeners = top.section("listeners");
        if (listeners.isPresent()) {
            Optional<Section> pub = listeners.get().section("public");
            if (pub.isPresent()) {
                publicAddress = pub.get().value("address", HostPort::parse).orElse(publicAddress);
                publicTls = publicTls(pub.get(), publicTls);
                pub.get().finish();
            }
            Optional<Section> priv = listeners.get().section("private");
            if (priv.isPresent()) {
                privateAddress = priv.get().value("address", HostPort::parse).orElse(privateAddress);
                maxMessageBytes = priv.get().integer("max-message-bytes").orElse(maxMessageBytes);
                if (maxMessageBytes < 1024) {
                    throw priv.get().error("max-message-bytes", maxMessageBytes + " is below 1024");
                }
                priv.get().finish();
            }
            listeners.get().finish();
        }
        List<SpiffeId> appenders = top.list("appenders", SpiffeId::parse).orElse(d.appenders());
        List<WitnessSubmitter.Witness> witnesses = d.witnesses();
        Optional<List<Section>> listed = top.sections("witnesses");
        if (listed.isPresent()) {
            witnesses = new java.util.ArrayList<>();
            for (Section w : listed.get()) {
                URI url = w.value("url", ConfigFile::witnessUrl).orElseThrow(() -> w.error("url", "missing"));
                VerifierKey key = w.value("key", ConfigFile::cosignatureKey).orElseThrow(() -> w.error("key", "missing"));
                w.finish();
                witnesses.add(new WitnessSubmitter.Witness(url, key));
            }
        }
        Optional<Path> policy = top.path("policy").or(d::policyFile);
        Tuning tuning = tuning(top, d.tuning());
        KeyStorage keys = keys(top, d.keys());
        return new ServerConfig(data, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                witnesses, policy, tuning, keys, publicTls);
    }

    private static PublicTls publicTls(Section pub, PublicTls d) throws ConfigException {
        boolean insecure = pub.bool("insecure-http").orElse(d.insecureHttp());
        Optional<Section> tls = pub.section("tls");
        if (tls.isEmpty()) {
            return new PublicTls(d.certificate(), d.key(), insecure, d.names());
        }
        Optional<Path> certificate = tls.get().path("certificate").or(d::certificate);
        Optional<Path> key = tls.get().path("key").or(d::key);
        List<String> names = tls.get().list("names", n -> n).orElse(d.names());
        tls.get().finish();
        try {
            return new PublicTls(certificate, key, insecure, names);
        } catch (IllegalArgumentException e) {
            throw pub.error("tls", e.getMessage());
        }
    }

    private static Tuning tuning(Section top, Tuning d) throws ConfigException {
        Duration keyLifetime = d.keyLifetime();
        Duration refresh = d.bundleRefreshHint();
        Duration approval = d.approvalLifetime();
        Duration retention = d.revocationRetention();
        Duration heartbeat = d.revocationHeartbeat();
        Duration witnessInterval = d.witnessInterval();
        Duration witnessTimeout = d.witnessTimeout();
        int queue = d.revocationSubscriberQueue();
        int streams = d.revocationSseStreams();
        Duration coalesce = d.revocationCoalesce();
        Optional<Section> ttl = top.section("ttl");
        if (ttl.isPresent()) {
            keyLifetime = ttl.get().duration("key-lifetime").orElse(keyLifetime);
            refresh = ttl.get().duration("bundle-refresh-hint").orElse(refresh);
            approval = ttl.get().duration("approval").orElse(approval);
            retention = ttl.get().duration("revocation-retention").orElse(retention);
            ttl.get().finish();
        }
        Optional<Section> revocation = top.section("revocation");
        if (revocation.isPresent()) {
            heartbeat = revocation.get().duration("heartbeat").orElse(heartbeat);
            queue = revocation.get().integer("subscriber-queue").orElse(queue);
            streams = revocation.get().integer("sse-streams").orElse(streams);
            coalesce = revocation.get().duration("coalesce").orElse(coalesce);
            revocation.get().finish();
        }
        Optional<Section> witnessing = top.section("witnessing");
        if (witnessing.isPresent()) {
            witnessInterval = witnessing.get().duration("interval").orElse(witnessInterval);
            witnessTimeout = witnessing.get().duration("timeout").orElse(witnessTimeout);
            witnessing.get().finish();
        }
        Duration requestTimeout = d.connections().requestTimeout();
        Duration idleTimeout = d.connections().idleTimeout();
        int maxConnections = d.connections().maxPerListener();
        Optional<Section> connections = top.section("connections");
        if (connections.isPresent()) {
            requestTimeout = connections.get().duration("request-timeout").orElse(requestTimeout);
            idleTimeout = connections.get().duration("idle-timeout").orElse(idleTimeout);
            maxConnections = connections.get().integer("max-per-listener").orElse(maxConnections);
            connections.get().finish();
        }
        try {
            return new Tuning(keyLifetime, refresh, approval, retention, heartbeat, witnessInterval, witnessTimeout, queue, streams,
                    new Connections(requestTimeout, idleTimeout, maxConnections), coalesce);
        } catch (IllegalArgumentException e) {
            // Tuning's message starts with the setting's name; the file's key for it:
            String name = e.getMessage().split(" ", 2)[0];
            throw new ConfigException(top.file(), TUNING_KEYS.getOrDefault(name, ""), e.getMessage(), e);
        }
    }

    private static KeyStorage keys(Section top, KeyStorage d) throws ConfigException {
        Optional<Section> keys = top.section("keys");
        if (keys.isEmpty()) {
            return d;
        }
        Section k = keys.get();
        String store = k.value("store", s -> switch (s) {
            case "files", "pkcs11" -> s;
            default -> throw new IllegalArgumentException("\"" + s + "\" is not files or pkcs11");
        }).orElse(d instanceof KeyStorage.Pkcs11 ? "pkcs11" : "files");
        if (store.equals("files")) {
            k.finish();
            return new KeyStorage.EncryptedFiles();
        }
        Path library = k.path("library").orElseThrow(() -> k.error("library", "missing: the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so"));
        Optional<Long> slot = k.value("slot", ConfigFile::slotId);
        Optional<Integer> slotIndex = k.integer("slot-index");
        Optional<String> pinEnv = k.string("pin-env");
        Optional<Path> pinFile = k.path("pin-file");
        k.finish();
        try {
            return new KeyStorage.Pkcs11(library, slot.map(OptionalLong::of).orElse(OptionalLong.empty()),
                    slotIndex.map(OptionalInt::of).orElse(OptionalInt.empty()), new KeyStorage.Secret(pinEnv, pinFile));
        } catch (IllegalArgumentException e) {
            throw top.error("keys", e.getMessage());
        }
    }

    private static long slotId(String s) {
        try {
            return Long.decode(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not a slot id (a number, decimal or 0x hex)");
        }
    }

    /**
     * A witness's base URL: http or https.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static URI witnessUrl(String text) {
        URI url = URI.create(text);
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("the witness URL " + text + " must be http or https");
        }
        return url;
    }

    /**
     * A witness's C2SP {@code cosignature/v1} verifier key.
     *
     * @throws IllegalArgumentException if malformed or of another type
     */
    public static VerifierKey cosignatureKey(String text) {
        VerifierKey key = VerifierKey.parse(text);
        if (key.type() != SignatureType.COSIGNATURE_V1) {
            throw new IllegalArgumentException("the witness key must be a cosignature/v1 key");
        }
        return key;
    }

    /** {@code config} as YAML in this file's form; no secret is part of a configuration, so none is printed. */
    public static String write(ServerConfig config) {
        ObjectNode top = YAML.createObjectNode();
        top.put("data", config.dataDir().root().toString());
        config.trustDomain().ifPresent(t -> top.put("trust-domain", t));
        config.origin().ifPresent(o -> top.put("origin", o));
        ObjectNode listeners = top.putObject("listeners");
        ObjectNode pub = listeners.putObject("public");
        pub.put("address", config.publicAddress().toString());
        pub.put("insecure-http", config.publicTls().insecureHttp());
        if (config.publicTls().certificate().isPresent() || !config.publicTls().names().isEmpty()) {
            ObjectNode tls = pub.putObject("tls");
            config.publicTls().certificate().ifPresent(c -> tls.put("certificate", c.toString()));
            config.publicTls().key().ifPresent(k -> tls.put("key", k.toString()));
            ArrayNode names = tls.putArray("names");
            config.publicTls().names().forEach(names::add);
        }
        ObjectNode priv = listeners.putObject("private");
        priv.put("address", config.privateAddress().toString());
        priv.put("max-message-bytes", config.maxMessageBytes());
        ArrayNode appenders = top.putArray("appenders");
        config.appenders().forEach(a -> appenders.add(a.value()));
        ArrayNode witnesses = top.putArray("witnesses");
        config.witnesses().forEach(w -> witnesses.addObject().put("url", w.url().toString()).put("key", w.key().toString()));
        config.policyFile().ifPresent(p -> top.put("policy", p.toString()));
        Tuning t = config.tuning();
        top.putObject("ttl")
                .put("key-lifetime", Durations.format(t.keyLifetime()))
                .put("bundle-refresh-hint", Durations.format(t.bundleRefreshHint()))
                .put("approval", Durations.format(t.approvalLifetime()))
                .put("revocation-retention", Durations.format(t.revocationRetention()));
        top.putObject("revocation")
                .put("heartbeat", Durations.format(t.revocationHeartbeat()))
                .put("subscriber-queue", t.revocationSubscriberQueue())
                .put("sse-streams", t.revocationSseStreams())
                .put("coalesce", Durations.format(t.revocationCoalesce()));
        top.putObject("witnessing")
                .put("interval", Durations.format(t.witnessInterval()))
                .put("timeout", Durations.format(t.witnessTimeout()));
        top.putObject("connections")
                .put("request-timeout", Durations.format(t.connections().requestTimeout()))
                .put("idle-timeout", Durations.format(t.connections().idleTimeout()))
                .put("max-per-listener", t.connections().maxPerListener());
        ObjectNode keys = top.putObject("keys");
        switch (config.keys()) {
            case KeyStorage.EncryptedFiles files -> keys.put("store", "files");
            case KeyStorage.Pkcs11 p -> {
                keys.put("store", "pkcs11").put("library", p.library().toString());
                p.slot().ifPresent(s -> keys.put("slot", s));
                p.slotIndex().ifPresent(i -> keys.put("slot-index", i));
                p.pin().variable().ifPresent(v -> keys.put("pin-env", v));
                p.pin().file().ifPresent(f -> keys.put("pin-file", f.toString()));
            }
        }
        try {
            return YAML.writeValueAsString(top);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a YAML tree did not serialize", e);
        }
    }
}
