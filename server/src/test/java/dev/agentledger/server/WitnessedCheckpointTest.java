package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.witness.WitnessServer;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --witness}: the server submits to two in-process witnesses, {@code /checkpoint}
 * serves the checkpoint they cosigned (K=2 for a stranger's {@link LogVerifier}), {@code
 * /checkpoint/latest} the newest log-signed one, discovery lists the witnesses, and the witnessed
 * checkpoint survives a restart while the witnesses are down. Rounds are driven with
 * {@link WitnessSubmitter#submitOnce()}.
 */
class WitnessedCheckpointTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final SignerKey key1 = SignerKey.generate("witness.test/w1", SignatureType.COSIGNATURE_V1);
    private final SignerKey key2 = SignerKey.generate("witness.test/w2", SignatureType.COSIGNATURE_V1);

    @Test
    void checkpointCarriesBothCosignaturesAndSurvivesRestart(@TempDir Path dir) throws Exception {
        DataDir data = new DataDir(dir.resolve("log"));
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        String origin = prepared.settings().origin();
        LogVerifier verifier = LogVerifier.create(origin, prepared.logKey().verifierKey(),
                List.of(key1.verifierKey(), key2.verifierKey()), 2);
        String witnessed;
        List<WitnessSubmitter.Witness> witnesses;
        try (WitnessServer w1 = witness(dir.resolve("w1"), key1, prepared);
                WitnessServer w2 = witness(dir.resolve("w2"), key2, prepared)) {
            witnesses = List.of(new WitnessSubmitter.Witness(URI.create(w1.url()), key1.verifierKey()),
                    new WitnessSubmitter.Witness(URI.create(w2.url()), key2.verifierKey()));
            try (AgentLedgerServer server = start(data, prepared, witnesses)) {
                long first = server.ledger().checkpoint().size(); // the issuer's key publications
                for (int i = 0; i < 3; i++) {
                    server.ledger().append(RunningServer.revocation("spiffe://agentledger.local/agent/" + i, "r" + i)
                            .toByteArray(), false).get();
                }
                server.witnessSubmitter().orElseThrow().submitOnce();

                witnessed = get(server, "/checkpoint");
                VerifiedCheckpoint checkpoint = verifier.verify(witnessed);
                assertEquals(first + 3, checkpoint.size());
                assertEquals(2, checkpoint.cosignatures().size());
                assertEquals(server.ledger().checkpoint().note(), get(server, "/checkpoint/latest"));
                assertTrue(get(server, "/observe/metrics").contains("agentledger_witness_cosignatures"), "metrics");
                String discovery = get(server, "/.well-known/agentledger");
                for (WitnessSubmitter.Witness w : witnesses) {
                    assertTrue(discovery.contains(w.url().toString()) && discovery.contains(w.key().toString()), discovery);
                }
            }
        }
        try (AgentLedgerServer restarted = start(data, Bootstrap.prepare(data, Optional.empty(), Optional.empty(),
                InstantSource.system()), witnesses)) {
            assertEquals(witnessed, get(restarted, "/checkpoint"), "persisted, served while the witnesses are down");
            verifier.verify(get(restarted, "/checkpoint"));
        }
    }

    private static WitnessServer witness(Path state, SignerKey key, Bootstrap.Prepared prepared) {
        Witness witness = Witness.create(CosignatureV1Signer.create(key, InstantSource.system()),
                Map.of(prepared.settings().origin(), List.of(prepared.logKey().verifierKey())), new FileWitnessStore(state));
        return WitnessServer.start(witness, new HostPort("127.0.0.1", 0));
    }

    private static AgentLedgerServer start(DataDir data, Bootstrap.Prepared prepared, List<WitnessSubmitter.Witness> witnesses)
            throws dev.agentledger.server.bootstrap.BootstrapException {
        ServerConfig config = ServerConfig.of(data)
                .withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0))
                .withWitnesses(witnesses);
        return AgentLedgerServer.start(config, prepared, InstantSource.system());
    }

    private String get(AgentLedgerServer server, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path);
        return response.body();
    }
}
