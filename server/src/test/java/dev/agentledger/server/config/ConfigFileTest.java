package dev.agentledger.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.DataDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The YAML configuration file: every key read, unknown keys and bad values refused by name, printed form read back. */
class ConfigFileTest {
    private static final ServerConfig DEFAULTS = ServerConfig.of(new DataDir(Path.of("defaults")));

    @TempDir
    Path dir;

    private ServerConfig read(String yaml) throws Exception {
        Path file = dir.resolve("agentledger.yaml");
        Files.writeString(file, yaml);
        return ConfigFile.read(file, DEFAULTS);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        String witnessKey = SignerKey.generate("w.example", SignatureType.COSIGNATURE_V1).verifierKey().toString();
        ServerConfig c = read("""
                data: /srv/agentledger
                trust-domain: example.org
                origin: example.org/log/1
                listeners:
                  public:
                    address: 0.0.0.0:9080
                    insecure-http: true
                    tls:
                      certificate: /etc/al/public.pem
                      key: /etc/al/public.key
                      names: [log.example.org, 10.0.0.5]
                  private:
                    address: "[::1]:9443"
                    max-message-bytes: 262144
                appenders: [spiffe://example.org/operator, spiffe://example.org/ci]
                witnesses:
                  - url: https://witness.example/
                    key: %s
                policy: /etc/al/policy.cedar
                ttl:
                  key-lifetime: 30d
                  bundle-refresh-hint: 1m
                  approval: 2h
                  revocation-retention: 12h
                revocation:
                  heartbeat: 500ms
                  subscriber-queue: 64
                  sse-streams: 10
                  coalesce: 50ms
                witnessing:
                  interval: 3s
                  timeout: PT2S
                connections:
                  request-timeout: 4s
                  idle-timeout: 1m
                  max-per-listener: 500
                keys:
                  store: pkcs11
                  library: /usr/lib/softhsm/libsofthsm2.so
                  slot: 0x10
                  pin-env: AL_PIN
                """.formatted(witnessKey));
        assertEquals(Path.of("/srv/agentledger"), c.dataDir().root());
        assertEquals(Optional.of("example.org"), c.trustDomain());
        assertEquals(Optional.of("example.org/log/1"), c.origin());
        assertEquals(new HostPort("0.0.0.0", 9080), c.publicAddress());
        assertEquals(new PublicTls(Optional.of(Path.of("/etc/al/public.pem")), Optional.of(Path.of("/etc/al/public.key")), true,
                java.util.List.of("log.example.org", "10.0.0.5")), c.publicTls());
        assertEquals(new HostPort("::1", 9443), c.privateAddress());
        assertEquals(262144, c.maxMessageBytes());
        assertEquals(2, c.appenders().size());
        assertEquals(witnessKey, c.witnesses().get(0).key().toString());
        assertEquals(Optional.of(Path.of("/etc/al/policy.cedar")), c.policyFile());
        assertEquals(new Tuning(Duration.ofDays(30), Duration.ofMinutes(1), Duration.ofHours(2), Duration.ofHours(12),
                Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(2), 64, 10,
                new Connections(Duration.ofSeconds(4), Duration.ofMinutes(1), 500), Duration.ofMillis(50)), c.tuning());
        assertEquals(new KeyStorage.Pkcs11(Path.of("/usr/lib/softhsm/libsofthsm2.so"), OptionalLong.of(16), OptionalInt.empty(),
                new KeyStorage.Secret(Optional.of("AL_PIN"), Optional.empty())), c.keys());
        // The printed form reads back to the same configuration.
        assertEquals(c, read(ConfigFile.write(c)));
    }

    @Test
    void anEmptyFileKeepsTheDefaultsAndTheDefaultsPrintAndReadBack() throws Exception {
        assertEquals(DEFAULTS, read(""));
        assertEquals(DEFAULTS, read(ConfigFile.write(DEFAULTS)));
    }

    @Test
    void theDocumentedSampleIsValidAndHoldsTheDefaults() throws Exception {
        // The test runs in the server module's directory; the sample lives at the repository's root.
        ServerConfig sample = ConfigFile.read(Path.of("..", "docs", "agentledger.yaml"), DEFAULTS);
        ServerConfig d = ServerConfig.of(new DataDir(Path.of("agentledger-data")));
        assertEquals(new ServerConfig(d.dataDir(), d.publicAddress(), d.privateAddress(), Optional.of("agentledger.local"),
                Optional.empty(), d.appenders(), d.maxMessageBytes(), d.witnesses(), d.policyFile(), d.tuning(), d.keys(),
                d.publicTls()), sample);
        assertEquals(Optional.of("agentledger.local"), sample.trustDomain());
    }

    @Test
    void aPartialFileChangesOnlyWhatItNames() throws Exception {
        ServerConfig c = read("listeners: {private: {address: 127.0.0.1:7443}}\n");
        assertEquals(DEFAULTS.withAddresses(DEFAULTS.publicAddress(), new HostPort("127.0.0.1", 7443)), c);
    }

    /** Each row: the file, the key the message must name, a phrase it must hold. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "datadir: /x                                              | datadir                          | unknown key",
        "listeners: {public: {adress: 1.2.3.4:80}}                | listeners.public.adress           | known here: address",
        "listeners: {public: {address: nohost}}                   | listeners.public.address          | HOST:PORT",
        "listeners: {private: {max-message-bytes: 12}}            | listeners.private.max-message-bytes | below 1024",
        "listeners: {private: {max-message-bytes: lots}}          | listeners.private.max-message-bytes | whole number",
        "listeners: {public: {insecure-http: maybe}}              | listeners.public.insecure-http    | true or false",
        "listeners: {public: {tls: {certificate: /c.pem}}}        | listeners.public.tls              | both certificate and key",
        "listeners: [a, b]                                        | listeners                         | mapping",
        "appenders: [spiffe://x/y, not-an-id]                     | appenders[1]                      | ''",
        "witnesses: [{url: ftp://w, key: k}]                      | witnesses[0].url                  | http or https",
        "witnesses: [{url: http://w}]                             | witnesses[0].key                  | missing",
        "ttl: {key-lifetime: 1h}                                  | ttl.key-lifetime                  | shorter than",
        "ttl: {approval: soon}                                    | ttl.approval                      | not a duration",
        "revocation: {heartbeat: 0s}                              | revocation.heartbeat              | not positive",
        "revocation: {subscriber-queue: 1}                        | revocation.subscriber-queue       | below 2",
        "revocation: {coalesce: 300ms}                            | revocation.coalesce               | not in [0, PT0.25S]",
        "revocation: {coalesce: -PT0.01S}                         | revocation.coalesce               | not in [0, PT0.25S]",
        "revocation: {heartbeat: 100ms, coalesce: 100ms}          | revocation.coalesce               | not shorter than revocation-heartbeat",
        "revocation: {coalesce: soon}                             | revocation.coalesce               | not a duration",
        "witnessing: {timeout: 5s, retries: 3}                    | witnessing.retries                | unknown key",
        "connections: {request-timeout: 0s}                       | connections.request-timeout       | not positive",
        "connections: {max-per-listener: 0}                       | connections.max-per-listener      | below 1",
        "keys: {store: vault}                                     | keys.store                        | files or pkcs11",
        "keys: {store: pkcs11, slot: 1, pin-env: P}               | keys.library                      | missing",
        "keys: {store: pkcs11, library: /l.so, pin-env: P}        | keys                              | slot and slot-index",
        "keys: {store: pkcs11, library: /l.so, slot: 1}           | keys                              | pin-env and pin-file",
        "keys: {store: pkcs11, library: /l.so, slot: one, pin-env: P} | keys.slot                     | not a slot id",
    })
    void badFilesAreRefusedNamingTheFileAndTheKey(String yaml, String key, String phrase) throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> read(yaml + "\n"));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("agentledger.yaml") + ": key " + key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), e.getMessage());
    }

    @Test
    void notYamlOrNotAMappingIsRefused() throws Exception {
        ConfigException notYaml = assertThrows(ConfigException.class, () -> read("a: [1, 2\n"));
        assertTrue(notYaml.getMessage().contains("not valid YAML"), notYaml.getMessage());
        ConfigException duplicate = assertThrows(ConfigException.class, () -> read("data: /a\ndata: /b\n"));
        assertTrue(duplicate.getMessage().contains("Duplicate"), duplicate.getMessage());
        ConfigException list = assertThrows(ConfigException.class, () -> read("- a\n- b\n"));
        assertTrue(list.getMessage().contains("mapping"), list.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> ConfigFile.read(dir.resolve("absent.yaml"), DEFAULTS));
        assertTrue(missing.getMessage().contains("cannot read"), missing.getMessage());
    }

    @Test
    void thePrintedConfigurationHoldsNoSecret() throws Exception {
        ServerConfig c = DEFAULTS.withKeys(new KeyStorage.Pkcs11(Path.of("/l.so"), OptionalLong.empty(), OptionalInt.of(0),
                new KeyStorage.Secret(Optional.empty(), Optional.of(Path.of("/run/secrets/pin")))));
        String yaml = ConfigFile.write(c);
        assertTrue(yaml.contains("pin-file: /run/secrets/pin"), yaml);
        assertFalse(yaml.contains("pin:"), yaml);
    }
}
