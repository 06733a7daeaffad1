package dev.agentledger.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.SpiffeId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RolesTest {
    private final Roles roles = Roles.of("agents.example",
            Map.of(SpiffeId.parse("spiffe://agents.example/agent/ops-bot"), Set.of(Role.REVOKER)));

    @ParameterizedTest
    @CsvSource({
        "spiffe://agents.example/operator, OPERATOR",
        "spiffe://agents.example/orchestrator/k8s, ORCHESTRATOR",
        "spiffe://agents.example/approver/alice, APPROVER",
        "spiffe://agents.example/revoker/secops, REVOKER",
        "spiffe://agents.example/user/alice, USER",
        "spiffe://agents.example/agent/research/1, AGENT",
        "spiffe://agents.example/tool/billing, TOOL",
    })
    void firstPathSegmentNamesTheRole(String id, Role role) {
        assertEquals(EnumSet.of(role), roles.of(SpiffeId.parse(id)));
    }

    @Test
    void anotherTrustDomainHoldsNoRole() {
        assertTrue(roles.of(SpiffeId.parse("spiffe://evil.example/operator")).isEmpty());
        assertThrows(ForbiddenException.class,
                () -> roles.require(SpiffeId.parse("spiffe://evil.example/revoker/x"), "revoke", Role.REVOKER));
    }

    @Test
    void unknownSegmentsAndLookalikesHoldNoRole() {
        assertTrue(roles.of(SpiffeId.parse("spiffe://agents.example/operators")).isEmpty());
        assertTrue(roles.of(SpiffeId.parse("spiffe://agents.example/x/operator")).isEmpty());
        assertTrue(roles.of(SpiffeId.ofTrustDomain("agents.example")).isEmpty());
    }

    @Test
    void grantsAddToTheConvention() throws ForbiddenException {
        SpiffeId bot = SpiffeId.parse("spiffe://agents.example/agent/ops-bot");
        assertEquals(EnumSet.of(Role.AGENT, Role.REVOKER), roles.of(bot));
        roles.require(bot, "revoke", Role.REVOKER);
    }

    @Test
    void requireRefusesWithAMessageThatSaysWhatIsNeeded() throws ForbiddenException {
        SpiffeId agent = SpiffeId.parse("spiffe://agents.example/agent/research/1");
        ForbiddenException e = assertThrows(ForbiddenException.class, () -> roles.require(agent, "revoke", Role.REVOKER));
        assertEquals(agent + " may not revoke: it needs role revoker (or operator), and holds [agent]", e.getMessage());
        roles.require(SpiffeId.parse("spiffe://agents.example/operator"), "revoke", Role.REVOKER);
    }
}
