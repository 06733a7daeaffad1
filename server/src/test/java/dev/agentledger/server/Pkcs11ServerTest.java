package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.v1.IssueJwtSvidRequest;
import dev.agentledger.proto.v1.RegisterWorkloadRequest;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pkcs11Token;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.config.KeyStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.InstantSource;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer's keys in a fresh SoftHSM2 token (PKCS#11 through SunPKCS11): a real server issues an
 * X509-SVID and a JWT-SVID with keys generated in the token, none of them written to disk, and a
 * restart on the same token publishes the same keys. Skipped when SoftHSM2 is not installed.
 */
class Pkcs11ServerTest {
    private static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final String PIN = "1234-test-pin";

    @Test
    void theIssuerSignsWithKeysGeneratedInTheTokenAndReusesThemAfterARestart(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(LIBRARY) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util")),
                "SoftHSM2 is not installed (Debian package softhsm2): the PKCS#11 key storage is not tested");
        String conf = System.getenv("SOFTHSM2_CONF");
        Assumptions.assumeTrue(conf != null, "SOFTHSM2_CONF is not set (the server module's surefire configuration sets it)");
        freshTokenDirectory(Path.of(conf));
        Files.writeString(dir.resolve("pin"), PIN + "\n");
        KeyStorage.Pkcs11 keys = new KeyStorage.Pkcs11(LIBRARY, OptionalLong.empty(), OptionalInt.of(0),
                new KeyStorage.Secret(Optional.empty(), Optional.of(dir.resolve("pin"))));
        DataDir data = new DataDir(dir.resolve("data"));

        String bundle;
        try (RunningServer server = start(data, keys)) {
            bundle = server.getText("/api/v1/bundle");
            issueSvids(server);
        }
        // No private key of the issuer on disk; the token holds them (and their holder certificates).
        try (Stream<Path> files = Files.list(data.issuerKeys())) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("ca-cert.pem") && names.contains("jwt-pub.pem"), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.endsWith("-key.pem")), names.toString());
        }
        KeyStore token = Pkcs11Token.open(keys);
        assertEquals(List.of("access-token-key.pem", "ca-key.pem", "jwt-key.pem"),
                Collections.list(token.aliases()).stream().sorted().toList());

        try (RunningServer restarted = start(data, keys)) {
            assertEquals(bundle, restarted.getText("/api/v1/bundle"), "the restarted server publishes the same keys");
            issueSvids(restarted);
        }
    }

    private static RunningServer start(DataDir data, KeyStorage keys) throws Exception {
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data)
                .withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0))
                .withKeys(keys);
        return RunningServer.of(prepared, AgentLedgerServer.start(config, prepared, InstantSource.system()));
    }

    /** An X509-SVID (signed by the token's CA key) and a JWT-SVID (by its JWT key), each logged and verified. */
    private static void issueSvids(RunningServer server) throws Exception {
        var agent = AgentAuthority.of(server).spawn("hsm-agent");
        agent.chain().get(0).verify(agent.chain().get(1).getPublicKey());
        assertTrue(server.getText("/api/v1/bundle").contains(
                java.util.Base64.getEncoder().encodeToString(agent.chain().get(1).getEncoded())), "the SVID's CA is the bundle's");
        try (LedgerClient operator = server.operatorClient()) {
            var registered = operator.issuer().withDeadlineAfter(30, TimeUnit.SECONDS).registerWorkload(RegisterWorkloadRequest.newBuilder()
                    .setAgentName("hsm-agent").setActingUserSpiffeId("spiffe://agentledger.local/user/alice").build());
            var jwt = operator.issuer().withDeadlineAfter(30, TimeUnit.SECONDS).issueJwtSvid(IssueJwtSvidRequest.newBuilder()
                    .setSpiffeId(registered.getSpiffeId()).addAudience("spiffe://agentledger.local/tool/billing").build());
            assertEquals(3, jwt.getToken().split("\\.").length, jwt.toString());
        }
    }

    /** Writes SoftHSM2's configuration with an empty token directory and initializes one token in it. */
    private static void freshTokenDirectory(Path conf) throws Exception {
        Path tokens = conf.resolveSibling("tokens");
        if (Files.exists(tokens)) {
            try (Stream<Path> old = Files.walk(tokens)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(tokens);
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        Process init = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "agentledger-test",
                "--pin", PIN, "--so-pin", "5678-test-so-pin").redirectErrorStream(true).start();
        String output = new String(init.getInputStream().readAllBytes());
        assertEquals(0, init.waitFor(), output);
    }
}
