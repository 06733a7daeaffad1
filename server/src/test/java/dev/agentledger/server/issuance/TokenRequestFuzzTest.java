package dev.agentledger.server.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.issuer.TokenExchangeException;
import dev.agentledger.issuer.TokenExchangeRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the RFC 8693 token endpoint's request handling before any token is verified: the
 * {@code application/x-www-form-urlencoded} body parser ({@link AuthorizationHttpService#form},
 * RFC 6749 appendix B) and {@link TokenExchangeRequest#parse}. The only exceptions out are
 * {@link JsonAnswers.BadRequest} (a body that is not a form) and {@link TokenExchangeException}
 * (an OAuth error: {@code invalid_request}, {@code unsupported_grant_type}, ...). A request that
 * parses came from a form with every parameter sent once and carries its {@code scope} and
 * {@code resource} unchanged. The tokens inside are fuzzed by verifier-client's
 * {@code TokenFuzzTest}.
 *
 * <p>Seeds (real exchange bodies): {@code TokenRequestFuzzTestInputs/parseRequest/}.
 */
class TokenRequestFuzzTest {
    @FuzzTest
    void parseRequest(byte[] input) throws Exception {
        Map<String, List<String>> form;
        try {
            form = AuthorizationHttpService.form(new String(input, StandardCharsets.UTF_8));
        } catch (JsonAnswers.BadRequest expected) {
            return;
        }
        TokenExchangeRequest request;
        try {
            request = TokenExchangeRequest.parse(form);
        } catch (TokenExchangeException expected) {
            return;
        }
        assertTrue(form.values().stream().allMatch(values -> values.size() == 1), form::toString);
        assertEquals(form.get("scope"), List.of(request.action()));
        assertEquals(form.get("resource"), List.of(request.resource()));
        assertEquals(form.get("subject_token"), List.of(request.subjectToken()));
    }
}
