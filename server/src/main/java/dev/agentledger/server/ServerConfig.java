package dev.agentledger.server;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.config.KeyStorage;
import dev.agentledger.server.config.PublicTls;
import dev.agentledger.server.config.Tuning;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to run a server ({@code agentledger serve}).
 *
 * @param dataDir where the log, keys and certificates live
 * @param publicAddress the plain-HTTP read API's address (tiles, JSON, discovery, observe)
 * @param privateAddress the mTLS gRPC listener's address (append and reads)
 * @param trustDomain the trust domain to create or expect; empty: the stored one or the default
 * @param origin the log origin to create or expect; empty: the stored one or {@code <td>/log}
 * @param appenders who may append; empty: the bootstrap operator only
 * @param maxMessageBytes the largest gRPC message the private listener reads
 * @param witnesses the witnesses the log submits its checkpoints to; empty: none
 * @param policyFile the Cedar policy set the token exchange decides with; empty: the embedded default
 * @param tuning lifetimes, intervals and limits
 * @param keys where the authority's private keys live
 * @param publicTls how the public listener is secured off loopback
 */
public record ServerConfig(DataDir dataDir, HostPort publicAddress, HostPort privateAddress,
        Optional<String> trustDomain, Optional<String> origin, List<SpiffeId> appenders, int maxMessageBytes,
        List<WitnessSubmitter.Witness> witnesses, Optional<Path> policyFile, Tuning tuning, KeyStorage keys,
        PublicTls publicTls) {
    /** The default public listener address. */
    public static final HostPort DEFAULT_PUBLIC = new HostPort("127.0.0.1", 8080);
    /** The default private listener address. */
    public static final HostPort DEFAULT_PRIVATE = new HostPort("127.0.0.1", 8443);
    /** The default largest gRPC message: twice the largest entry, room for the request around it. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;

    /** Validates and copies. */
    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(publicAddress, "publicAddress");
        Objects.requireNonNull(privateAddress, "privateAddress");
        Objects.requireNonNull(trustDomain, "trustDomain");
        Objects.requireNonNull(origin, "origin");
        appenders = List.copyOf(appenders);
        witnesses = List.copyOf(witnesses);
        Objects.requireNonNull(policyFile, "policyFile");
        Objects.requireNonNull(tuning, "tuning");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(publicTls, "publicTls");
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("maxMessageBytes " + maxMessageBytes + " is below 1024");
        }
    }

    /** The settings that existed before tuning, key storage and public TLS: those three at their defaults. */
    public ServerConfig(DataDir dataDir, HostPort publicAddress, HostPort privateAddress, Optional<String> trustDomain,
            Optional<String> origin, List<SpiffeId> appenders, int maxMessageBytes, List<WitnessSubmitter.Witness> witnesses,
            Optional<Path> policyFile) {
        this(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes, witnesses, policyFile,
                Tuning.DEFAULTS, new KeyStorage.EncryptedFiles(), PublicTls.DEFAULT);
    }

    /** Defaults for everything but the data directory. */
    public static ServerConfig of(DataDir dataDir) {
        return new ServerConfig(dataDir, DEFAULT_PUBLIC, DEFAULT_PRIVATE, Optional.empty(), Optional.empty(),
                List.of(), DEFAULT_MAX_MESSAGE_BYTES, List.of(), Optional.empty());
    }

    /** The same with other listener addresses. */
    public ServerConfig withAddresses(HostPort publicAddr, HostPort privateAddr) {
        return new ServerConfig(dataDir, publicAddr, privateAddr, trustDomain, origin, appenders, maxMessageBytes, witnesses,
                policyFile, tuning, keys, publicTls);
    }

    /** The same with other appenders. */
    public ServerConfig withAppenders(List<SpiffeId> newAppenders) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, newAppenders, maxMessageBytes, witnesses,
                policyFile, tuning, keys, publicTls);
    }

    /** The same with other witnesses. */
    public ServerConfig withWitnesses(List<WitnessSubmitter.Witness> newWitnesses) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                newWitnesses, policyFile, tuning, keys, publicTls);
    }

    /** The same with another policy file. */
    public ServerConfig withPolicyFile(Path file) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                witnesses, Optional.of(file), tuning, keys, publicTls);
    }

    /** The same with other lifetimes and limits. */
    public ServerConfig withTuning(Tuning newTuning) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                witnesses, policyFile, newTuning, keys, publicTls);
    }

    /** The same with another key storage. */
    public ServerConfig withKeys(KeyStorage newKeys) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                witnesses, policyFile, tuning, newKeys, publicTls);
    }

    /** The same with another public listener security. */
    public ServerConfig withPublicTls(PublicTls newTls) {
        return new ServerConfig(dataDir, publicAddress, privateAddress, trustDomain, origin, appenders, maxMessageBytes,
                witnesses, policyFile, tuning, keys, newTls);
    }
}
