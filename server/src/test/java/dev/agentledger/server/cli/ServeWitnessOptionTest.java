package dev.agentledger.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code serve --witness URL=VKEY}. */
class ServeWitnessOptionTest {
    private final SignerKey witnessKey = SignerKey.generate("witness.test/w1", SignatureType.COSIGNATURE_V1);

    @Test
    void parsesUrlAndCosignatureKey() {
        String vkey = witnessKey.verifierKey().toString();
        WitnessSubmitter.Witness w = ServeCommand.witness("http://127.0.0.1:7380=" + vkey);
        assertEquals(URI.create("http://127.0.0.1:7380"), w.url());
        assertEquals(witnessKey.verifierKey(), w.key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-equals", "=KEY", "ftp://host=KEY", "http://host=not-a-key"})
    void refusesMalformed(String spec) {
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.witness(spec));
    }

    @Test
    void refusesALogKey() {
        String logKey = SignerKey.generate("log.test", SignatureType.ED25519).verifierKey().toString();
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.witness("http://host=" + logKey));
    }
}
