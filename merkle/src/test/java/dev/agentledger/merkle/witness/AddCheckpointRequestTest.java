package dev.agentledger.merkle.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tlog-witness wire formats: the add-checkpoint body and the 409 size body. */
class AddCheckpointRequestTest {
    private static final String NOTE = "example.test/log\n2\nAAAA\n\n— example.test/log abcd\n";

    @Test
    void formatIsTheInverseOfParse() throws Exception {
        Hash h = Rfc6962.hashLeaf(new byte[] {1});
        AddCheckpointRequest request = new AddCheckpointRequest(1, List.of(h), NOTE);
        String body = request.format();
        assertEquals("old 1\n" + h.toBase64() + "\n\n" + NOTE, body);
        assertEquals(request, AddCheckpointRequest.parse(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sizeBodyRoundTrips() throws Exception {
        assertEquals("42\n", AddCheckpointRequest.formatSize(42));
        assertEquals(42, AddCheckpointRequest.parseSize("42\n"));
        assertEquals(0, AddCheckpointRequest.parseSize("0\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "42", "042\n", "-1\n", "+1\n", "4 2\n", "9223372036854775808\n", "42\n\n", "x\n"})
    void malformedSizeBodies(String body) {
        assertThrows(MalformedWitnessMessageException.class, () -> AddCheckpointRequest.parseSize(body));
    }
}
