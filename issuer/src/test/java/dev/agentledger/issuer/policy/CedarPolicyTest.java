package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.policy.PolicySet;
import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CedarPolicyTest {
    /** A Monday, 10:30 UTC. */
    private static final Instant MONDAY_MORNING = Instant.parse("2026-11-23T10:30:00Z");

    static Stream<Arguments> refusedPolicies() {
        return Stream.of(
                Arguments.of("syntax error", "permit(principal, action, resource) when { 1 ++ 2 };", "does not parse as Cedar"),
                Arguments.of("unknown method", "permit(principal, action, resource) when { context.x.foo(1) };", "does not parse as Cedar"),
                Arguments.of("truncated", "permit(principal, action,", "does not parse as Cedar"),
                Arguments.of("template", "permit(principal == ?principal, action, resource);", "template"),
                Arguments.of("approval value", "@approval(\"maybe\") permit(principal, action, resource);",
                        "@approval(\"maybe\"), want @approval(\"required\")"),
                Arguments.of("approval on forbid", "@approval(\"required\") forbid(principal, action, resource);",
                        "is a forbid with @approval"),
                Arguments.of("approvers without approval", "@approvers(\"spiffe://a.example/user/x\") permit(principal, action, resource);",
                        "without @approval"),
                Arguments.of("reason without approval", "@reason(\"why\") permit(principal, action, resource);", "without @approval"),
                Arguments.of("approver not a SPIFFE ID",
                        "@approval(\"required\") @approvers(\"group:sre\") permit(principal, action, resource);",
                        "want comma-separated SPIFFE IDs"),
                Arguments.of("duplicate @id", "@id(\"a\") permit(principal, action, resource); @id(\"a\") forbid(principal, action, resource);",
                        "two policies have the id \"a\""),
                Arguments.of("@id of another policy's positional id",
                        "@id(\"policy1\") permit(principal, action, resource); forbid(principal, action, resource);",
                        "not another policy's positional id"),
                Arguments.of("too long", "permit(principal, action, resource);" + " ".repeat(CedarPolicy.MAX_TEXT_BYTES),
                        "want at most " + CedarPolicy.MAX_TEXT_BYTES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPolicies")
    void malformedPoliciesAreRefusedWithAClearMessage(String name, String text, String expected) {
        PolicyException refused = assertThrows(PolicyException.class, () -> CedarPolicy.compile("p", text));
        assertEquals("p", refused.policyId());
        assertTrue(refused.getMessage().contains(expected), () -> "message \"" + refused.getMessage() + "\" lacks \"" + expected + "\"");
        assertTrue(refused.getMessage().startsWith("policy set \"p\" refused: "), refused.getMessage());
    }

    @Test
    void policySetIdsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> CedarPolicy.compile("", "permit(principal, action, resource);"));
        assertThrows(IllegalArgumentException.class, () -> CedarPolicy.compile("a b", "permit(principal, action, resource);"));
    }

    @Test
    void policiesAreNamedByTheirIdAnnotationOrPosition() throws Exception {
        CedarPolicy policy = CedarPolicy.compile("p", """
                @id("reads") permit(principal, action == Action::"read", resource);
                forbid(principal, action == Action::"read", resource) when { context has blocked };
                """);
        assertEquals(List.of("reads", "policy1"), policy.policyIds());
        assertEquals(new Evaluation(Outcome.ALLOW, List.of("reads"), List.of(), ""),
                policy.evaluate(request("read", Map.of()), MONDAY_MORNING));
        assertEquals(Evaluation.deny(List.of("policy1")), policy.evaluate(request("read", Map.of("blocked", "yes")), MONDAY_MORNING));
        assertEquals(Evaluation.deny(List.of()), policy.evaluate(request("write", Map.of()), MONDAY_MORNING));
    }

    static Stream<Arguments> attributes() {
        return Stream.of(
                Arguments.of("principal.name == \"bot\"", Map.of(), Outcome.ALLOW),
                Arguments.of("principal.spiffeId == \"spiffe://agents.example/agent/bot/run-1\"", Map.of(), Outcome.ALLOW),
                Arguments.of("principal.trustDomain == \"agents.example\" && principal.path == \"/agent/bot/run-1\"", Map.of(), Outcome.ALLOW),
                Arguments.of("principal.actingUser == \"spiffe://agents.example/user/alice\"", Map.of(), Outcome.ALLOW),
                Arguments.of("principal.actors.contains(\"spiffe://agents.example/agent/planner/run-9\") && principal.chainDepth == 2",
                        Map.of(), Outcome.ALLOW),
                Arguments.of("principal.delegations.contains(\"del-2\")", Map.of(), Outcome.ALLOW),
                Arguments.of("resource.kind == \"tool\" && resource.name == \"billing-db\"", Map.of(), Outcome.ALLOW),
                Arguments.of("context.task == \"INV-7\"", Map.of("task", "INV-7"), Outcome.ALLOW),
                Arguments.of("context.rows > 999", Map.of("rows", "1000"), Outcome.ALLOW),
                Arguments.of("context.rows < 0", Map.of("rows", "-5"), Outcome.ALLOW),
                Arguments.of("context.now.hourUtc == 10 && context.now.minuteUtc == 30", Map.of(), Outcome.ALLOW),
                Arguments.of("context.now.weekday == \"mon\"", Map.of(), Outcome.ALLOW),
                Arguments.of("context.now.unixSeconds == " + MONDAY_MORNING.getEpochSecond(), Map.of(), Outcome.ALLOW),
                // Evaluation errors deny, with the error as a reason, instead of skipping the policy.
                Arguments.of("context.missing == 1", Map.of(), Outcome.DENY),
                Arguments.of("context.rows > 1", Map.of("rows", "many"), Outcome.DENY),
                Arguments.of("context.rows > 1", Map.of("rows", "12345678901234567890"), Outcome.DENY),
                Arguments.of("true", Map.of("now", "forged"), Outcome.DENY),
                Arguments.of("context.task > 1", Map.of("task", "INV-7"), Outcome.DENY));
    }

    @ParameterizedTest(name = "{0} with {1}: {2}")
    @MethodSource("attributes")
    void requestsAreMappedToCedar(String condition, Map<String, String> context, Outcome expected) throws Exception {
        CedarPolicy policy = CedarPolicy.compile("p", "@id(\"rule\") permit(principal is Agent, action == Action::\"db:write\", "
                + "resource == Resource::\"tool:billing-db\") when { " + condition + " };");
        SpiffeId bot = SpiffeId.of("agents.example", "agent/bot/run-1");
        SpiffeId planner = SpiffeId.of("agents.example", "agent/planner/run-9");
        ActionRequest request = new ActionRequest(bot, List.of(planner, bot), Optional.of(Requests.ALICE),
                List.of("del-1", "del-2"), "db:write", "tool:billing-db", context, Optional.empty());
        Evaluation evaluation = policy.evaluate(request, MONDAY_MORNING);
        assertEquals(expected, evaluation.outcome(), evaluation::toString);
        if (expected == Outcome.ALLOW) {
            assertEquals(List.of("rule"), evaluation.reasons());
        } else {
            assertEquals(1, evaluation.reasons().size(), evaluation::toString);
            assertTrue(evaluation.reasons().get(0).startsWith("error"), evaluation::toString);
        }
    }

    @Test
    void anErrorInAForbidDeniesInsteadOfBeingSkipped() throws Exception {
        CedarPolicy policy = CedarPolicy.compile("p", """
                @id("all") permit(principal, action, resource);
                @id("guard") forbid(principal, action, resource) when { context.rows > 10 };
                """);
        Evaluation evaluation = policy.evaluate(request("read", Map.of()), MONDAY_MORNING);
        assertEquals(Outcome.DENY, evaluation.outcome());
        assertEquals("all", evaluation.reasons().get(0));
        assertTrue(evaluation.reasons().get(1).startsWith("error in policy guard: "), evaluation::toString);
    }

    @Test
    void approvalIsNeededOnlyWhenEveryDeterminingPermitAsksForIt() throws Exception {
        SpiffeId bob = SpiffeId.of("agents.example", "user/bob");
        SpiffeId carol = SpiffeId.of("agents.example", "user/carol");
        CedarPolicy policy = CedarPolicy.compile("p", """
                @id("plain") permit(principal, action == Action::"read", resource);
                @id("big") @approval("required") @approvers("spiffe://agents.example/user/bob") @reason("big write")
                permit(principal, action == Action::"write", resource) when { context.rows > 10 };
                @id("huge") @approval("required") @approvers("spiffe://agents.example/user/carol,spiffe://agents.example/user/bob")
                permit(principal, action == Action::"write", resource) when { context.rows > 100 };
                @id("anyone") @approval("required") permit(principal, action == Action::"read", resource);
                @id("open") @approval("required") permit(principal, action == Action::"pay", resource);
                @id("stop") forbid(principal, action == Action::"pay", resource) when { context has blocked };
                """);
        assertEquals(new Evaluation(Outcome.ALLOW, List.of("plain", "anyone"), List.of(), ""),
                policy.evaluate(request("read", Map.of()), MONDAY_MORNING));
        assertEquals(new Evaluation(Outcome.NEEDS_APPROVAL, List.of("big"), List.of(bob), "big write"),
                policy.evaluate(request("write", Map.of("rows", "50")), MONDAY_MORNING));
        assertEquals(new Evaluation(Outcome.NEEDS_APPROVAL, List.of("big", "huge"), List.of(bob, carol),
                "big write; policy huge requires approval"), policy.evaluate(request("write", Map.of("rows", "500")), MONDAY_MORNING));
        assertEquals(new Evaluation(Outcome.NEEDS_APPROVAL, List.of("open"), List.of(), "policy open requires approval"),
                policy.evaluate(request("pay", Map.of()), MONDAY_MORNING));
        assertEquals(Evaluation.deny(List.of("stop")), policy.evaluate(request("pay", Map.of("blocked", "1")), MONDAY_MORNING));
    }

    /** Every name the tests below ask about: entity attributes, context keys and fields of {@code context.now}. */
    private static final List<String> NAMES = List.of("spiffeId", "trustDomain", "path", "name", "actors", "chainDepth", "delegations",
            "actingUser", "kind", "now", "hourUtc", "anomalies", "rows", "task", "blocked");

    static Stream<Arguments> reads() {
        return Stream.of(
                Arguments.of("permit(principal, action, resource);", Set.of(), false),
                Arguments.of("permit(principal, action, resource) when { principal.name == \"bot\" };", Set.of("name"), false),
                Arguments.of("permit(principal, action, resource) when { resource[\"kind\"] == \"tool\" };", Set.of("kind"), false),
                Arguments.of("permit(principal, action, resource) when { principal has \"act\\u{6f}rs\" };", Set.of("actors"), false),
                Arguments.of("permit(principal, action, resource) when { principal has chainDepth };", Set.of("chainDepth"), false),
                Arguments.of("permit(principal, action, resource) when { context.now.hourUtc > 3 };", Set.of("now", "hourUtc"), false),
                Arguments.of("permit(principal, action, resource); forbid(principal, action, resource) unless { [principal.path]"
                        + ".contains(\"x\") || context has rows };", Set.of("path", "rows"), false),
                // The context used as a whole: every key of it is sent.
                Arguments.of("permit(principal, action, resource) when { context == {} };", Set.of(), true),
                Arguments.of("permit(principal, action, resource) when { [context].contains({rows: 1}) && context.task == \"t\" };",
                        Set.of("task"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void whatAPolicySetReadsIsFoundInItsJsonForm(String text, Set<String> names, boolean wholeContext) throws Exception {
        CedarInput.Reads reads = CedarPolicy.reads(PolicySet.parsePolicies(text));
        for (String name : NAMES) {
            assertEquals(names.contains(name), reads.attribute().test(name), name);
            assertEquals(wholeContext || names.contains(name), reads.contextKey().test(name), name);
        }
    }

    @Test
    void contextKeysThePoliciesDoNotReadAreStillChecked() throws Exception {
        CedarPolicy policy = CedarPolicy.compile("p", "@id(\"all\") permit(principal, action, resource);");
        assertEquals(Outcome.ALLOW, policy.evaluate(request("read", Map.of("rows", "5", "task", "t")), MONDAY_MORNING).outcome());
        assertEquals(Outcome.DENY, policy.evaluate(request("read", Map.of("rows", "many")), MONDAY_MORNING).outcome());
        assertEquals(Outcome.DENY, policy.evaluate(request("read", Map.of("now", "forged")), MONDAY_MORNING).outcome());
    }

    @Test
    void attributesThePoliciesDoNotNameAreNotSentAndTheOnesTheyNameAre() throws Exception {
        // "actors" (spelled with an escape) and "name" are read: the entities carry them, and no other (by name, whatever the entity).
        CedarPolicy policy = CedarPolicy.compile("p", """
                @id("escaped") permit(principal, action, resource) when { principal has "act\\u{6f}rs" && principal has name };
                """);
        assertEquals(new Evaluation(Outcome.ALLOW, List.of("escaped"), List.of(), ""), policy.evaluate(request("read", Map.of()), MONDAY_MORNING));
        CedarInput input = CedarInput.of(request("read", Map.of("task", "t", "rows", "3")), MONDAY_MORNING, Set.of("rows"), Set.of(),
                CedarPolicy.reads(PolicySet.parsePolicies("permit(principal, action, resource) when { principal has \"act\\u{6f}rs\" "
                        + "&& principal has name && context.rows > 1 };")));
        for (Entity entity : input.entities()) {
            Set<String> expected = entity.getEUID().getType().toString().equals("Agent") ? Set.of("actors", "name") : Set.of("name");
            assertEquals(expected, entity.attrs.keySet(), entity::toString);
        }
        assertEquals(Set.of("rows"), input.request().context.get().keySet());
    }

    @Test
    void textAndHashAreKept() throws Exception {
        String text = "permit(principal, action, resource); // é";
        CedarPolicy policy = CedarPolicy.compile("p", text);
        assertEquals(text, policy.text());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))), policy.sha256().toHex());
    }

    private static ActionRequest request(String action, Map<String, String> context) {
        return Requests.of("bot", action, "tool:billing-db", context);
    }
}
