package dev.agentledger.server;

import dev.agentledger.proto.SpiffeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpiffeIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org", "spiffe://example.org/operator", "spiffe://a-b.c_d/x/Y.z/0"})
    void valid(String id) {
        assertEquals(id, SpiffeId.parse(id).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://example.org/x", "spiffe://", "spiffe://Example.org", "spiffe://example.org/",
        "spiffe://example.org//x", "spiffe://example.org/./x", "spiffe://example.org/../x", "spiffe://example.org/x?y",
        "spiffe://example.org:8080/x", "spiffe://user@example.org/x", "spiffe://example.org/x#y"})
    void invalid(String id) {
        assertThrows(IllegalArgumentException.class, () -> SpiffeId.parse(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:8080=127.0.0.1/8080", "[::1]:0=::1/0", "localhost:65535=localhost/65535"})
    void hostPorts(String row) {
        String[] parts = row.split("=");
        HostPort parsed = HostPort.parse(parts[0]);
        assertEquals(parts[1], parsed.host() + "/" + parsed.port());
        assertEquals(parts[0], parsed.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8080", ":8080", "host:", "host:x", "host:65536", "host:-1"})
    void badHostPorts(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }
}
