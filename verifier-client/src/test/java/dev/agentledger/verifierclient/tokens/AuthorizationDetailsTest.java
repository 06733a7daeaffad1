package dev.agentledger.verifierclient.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorizationDetailsTest {
    @Test
    void canonicalFormDropsWhitespaceAndKeepsOrderAndNulls() throws Exception {
        AuthorizationDetails details = AuthorizationDetails.parse(" [ {\"type\" : \"db_write\", \"rows\": 1200, \"note\": null},\n{\"type\":\"payment\"} ] ");
        assertEquals("[{\"type\":\"db_write\",\"rows\":1200,\"note\":null},{\"type\":\"payment\"}]", details.json());
        assertEquals(List.of("db_write", "payment"), details.types());
        assertEquals(details, AuthorizationDetails.parse(details.json()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "not JSON             | '[{\"type\":'",
        "an object            | '{\"type\":\"x\"}'",
        "empty array          | '[]'",
        "element not object   | '[\"x\"]'",
        "no type              | '[{\"rows\":1}]'",
        "type not a string    | '[{\"type\":1}]'",
        "empty type           | '[{\"type\":\"\"}]'",
        "fraction             | '[{\"type\":\"x\",\"rows\":1.5}]'",
        "duplicate name       | '[{\"type\":\"x\",\"type\":\"y\"}]'",
    })
    void refuses(String name, String text) {
        assertEquals(Reason.MALFORMED, assertThrows(TokenException.class, () -> AuthorizationDetails.parse(text)).reason());
    }

    @Test
    void refusesOversize() {
        String text = "[{\"type\":\"" + "x".repeat(AuthorizationDetails.MAX_LENGTH) + "\"}]";
        assertEquals(Reason.OVERSIZE, assertThrows(TokenException.class, () -> AuthorizationDetails.parse(text)).reason());
    }
}
