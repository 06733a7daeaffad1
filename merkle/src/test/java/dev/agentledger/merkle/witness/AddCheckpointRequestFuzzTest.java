package dev.agentledger.merkle.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the witness request body parser (c2sp.org/tlog-witness, "add-checkpoint"):
 * {@link AddCheckpointRequest#parse} throws only {@link MalformedWitnessMessageException}, and a
 * body that parses formats back byte for byte. The whole witness over such bodies is fuzzed in
 * verifier-client's {@code WitnessFuzzTest}.
 *
 * <p>Seeds: {@code AddCheckpointRequestFuzzTestInputs/parseBody/}.
 */
class AddCheckpointRequestFuzzTest {
    @FuzzTest
    void parseBody(byte[] input) {
        AddCheckpointRequest request;
        try {
            request = AddCheckpointRequest.parse(input);
        } catch (MalformedWitnessMessageException expected) {
            return;
        }
        assertArrayEquals(input, request.format().getBytes(StandardCharsets.UTF_8));
    }
}
