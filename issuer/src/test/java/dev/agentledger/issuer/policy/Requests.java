package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.proto.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Action requests for tests: an agent of the test trust domain acting for alice. */
final class Requests {
    static final SpiffeId ALICE = SpiffeId.of(GateLog.TRUST_DOMAIN, "user/alice");

    private Requests() {}

    static SpiffeId agent(String name) {
        return SpiffeId.of(GateLog.TRUST_DOMAIN, "agent/" + name + "/run-1");
    }

    static ActionRequest of(String agentName, String action, String resource, Map<String, String> context) {
        SpiffeId agent = agent(agentName);
        return new ActionRequest(agent, List.of(agent), Optional.of(ALICE), List.of("del-1"), action, resource, context,
                Optional.empty());
    }

    static ActionRequest retry(ActionRequest request, String approvalId) {
        return new ActionRequest(request.principal(), request.actors(), request.actingUser(), request.delegationIds(),
                request.action(), request.resource(), request.context(), Optional.of(approvalId));
    }
}
