package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSpawnTest {
    @Test
    void spawnWritesAVerifiedLoggedIdentity(@TempDir Path dir) throws Exception {
        DataDir data = new DataDir(dir.resolve("data"));
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data).withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0));
        try (AgentLedgerServer server = AgentLedgerServer.start(config, prepared, InstantSource.system())) {
            Path out = dir.resolve("agent1");
            CliRun spawn = CliRun.run("agent", "spawn", "--name", "research", "--user", "alice", "--task", "T-9",
                    "--out", out.toString(), "--data", data.root().toString(),
                    "--private-addr", server.privateAddress().toString(), "--public-url", server.publicUrl());
            assertEquals(0, spawn.exit(), spawn.err());
            assertTrue(spawn.out().contains("spiffe://agentledger.local/agent/research/"), spawn.out());
            assertTrue(spawn.out().contains("verified:"), spawn.out());

            Credentials svid = Credentials.read(out.resolve("key.pem"), out.resolve("svid.pem"));
            assertEquals(svid.certificate().getPublicKey(), svid.chain().get(0).getPublicKey());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("key.pem"))));
            List<X509Certificate> bundle = Pem.readCertificates(out.resolve("bundle.pem"));
            PKIXParameters anchors = new PKIXParameters(Set.of(new TrustAnchor(bundle.get(0), null)));
            anchors.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(svid.certificate())), anchors);

            JsonObject proof = JsonParser.create(Files.readString(out.resolve("proof.json"))).readJsonObject();
            long index = proof.longValue("index", -1);
            assertTrue(proof.stringValue("checkpoint", "").startsWith(prepared.settings().origin() + "\n"));
            assertTrue(server.ledger().checkpoint().size() > index);

            CliRun again = CliRun.run("agent", "spawn", "--name", "research", "--out", out.toString(),
                    "--data", data.root().toString(), "--private-addr", server.privateAddress().toString(),
                    "--public-url", server.publicUrl());
            assertEquals(1, again.exit());
            assertTrue(again.err().contains("already exists"), again.err());
            assertFalse(again.err().contains("Exception"), again.err());
        }
    }
}
