package dev.agentledger.issuer.policy;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.Effect;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.merkle.Hash;
import dev.agentledger.proto.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One parsed, checked and cached Cedar policy set, evaluated without any logging (the
 * {@link CedarPolicyGate} logs). {@link #compile} parses the text once and caches the parsed set
 * in the native Cedar library, since parsing on each request costs milliseconds.
 *
 * <p>Evaluation fails closed: a request the policy cannot be given (a reserved or non-numeric
 * context value), a Cedar failure, or any error while evaluating a policy (for example a missing
 * attribute or a type error, which Cedar would otherwise skip) gives {@link Outcome#DENY} with the
 * error in the reasons. The rules for {@code @approval} and the attribute names are in the package
 * documentation.
 *
 * <p>Immutable and thread-safe.
 */
public final class CedarPolicy {
    /** The longest policy text, in UTF-8 bytes, so its {@code PolicyPublished} entry fits a log entry. */
    public static final int MAX_TEXT_BYTES = 48 * 1024;
    /** The context keys read as integers unless told otherwise: rows affected by a data action. */
    public static final Set<String> DEFAULT_NUMERIC_KEYS = Set.of("rows");
    private static final Pattern POLICY_SET_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final String APPROVAL = "approval";
    private static final String APPROVERS = "approvers";
    private static final String REASON = "reason";
    private static final String ID = "id";
    /** The context variable in Cedar's JSON policy format. */
    private static final Map<String, String> CONTEXT = Map.of("Var", "context");
    /** Orders Cedar's positional ids {@code policy<N>} by N: shorter first, then as text. */
    private static final Comparator<String> TEXT_ORDER = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    private final String id;
    private final String text;
    private final Hash sha256;
    private final PolicySet policies;
    private final Map<String, PolicyRule> rules;
    private final Set<String> numericKeys;
    private final CedarInput.Reads read;
    private final BasicAuthorizationEngine engine = new BasicAuthorizationEngine();

    private CedarPolicy(String id, String text, PolicySet policies, Map<String, PolicyRule> rules, Set<String> numericKeys,
            CedarInput.Reads read) {
        this.id = id;
        this.text = text;
        this.sha256 = Hash.of(sha256(text.getBytes(StandardCharsets.UTF_8)));
        this.policies = policies;
        this.rules = Map.copyOf(rules);
        this.numericKeys = Set.copyOf(numericKeys);
        this.read = read;
    }

    /** {@link #compile(String, String, Set)} with {@link #DEFAULT_NUMERIC_KEYS}. */
    public static CedarPolicy compile(String id, String text) throws PolicyException {
        return compile(id, text, DEFAULT_NUMERIC_KEYS);
    }

    /**
     * Parses, checks and caches the Cedar policy set {@code text}.
     *
     * @param id the policy set's id: 1 to 128 letters, digits, {@code .}, {@code _} or {@code -}
     * @param numericKeys context keys whose values the policy compares as integers
     * @throws IllegalArgumentException if {@code id} is malformed
     * @throws PolicyException if the text is longer than {@link #MAX_TEXT_BYTES}, does not parse,
     *     holds templates, or breaks an annotation rule (unknown {@code @approval} value, approval
     *     on a forbid, {@code @approvers} that are not SPIFFE IDs, duplicate {@code @id})
     */
    public static CedarPolicy compile(String id, String text, Set<String> numericKeys) throws PolicyException {
        if (id == null || !POLICY_SET_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("policy set id " + id + " is not 1 to 128 letters, digits, '.', '_' or '-'");
        }
        Objects.requireNonNull(text, "text");
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TEXT_BYTES) {
            throw new PolicyException(id, "text is " + bytes + " bytes, want at most " + MAX_TEXT_BYTES);
        }
        PolicySet parsed;
        try {
            parsed = PolicySet.parsePolicies(text);
        } catch (InternalException e) {
            throw new PolicyException(id, "does not parse as Cedar: " + cedarMessage(e), e);
        } catch (RuntimeException e) {
            throw new PolicyException(id, "does not parse as Cedar: " + e.getMessage(), e);
        }
        if (!parsed.templates.isEmpty() || !parsed.templateLinks.isEmpty()) {
            throw new PolicyException(id, "holds policy templates; only static policies are supported");
        }
        Map<String, PolicyRule> rules = rules(id, parsed);
        try {
            parsed.cache();
        } catch (CacheException e) {
            throw new PolicyException(id, "could not be cached by the Cedar library: " + e.getMessage(), e);
        }
        return new CedarPolicy(id, text, parsed, rules, numericKeys, reads(parsed));
    }

    /** The policy set's id. */
    public String id() {
        return id;
    }

    /** The policy text exactly as given. */
    public String text() {
        return text;
    }

    /** SHA-256 of the text's UTF-8 bytes. */
    public Hash sha256() {
        return sha256;
    }

    /** The ids of the policies in the set ({@code @id}, or Cedar's {@code policy<N>}), in the order of the text. */
    public List<String> policyIds() {
        return sorted(rules.keySet()).stream().map(cedarId -> rules.get(cedarId).id()).toList();
    }

    /**
     * Decides {@code request} as the policy says at {@code now} (which fills {@code context.now}).
     * Never throws for a well-formed request: every failure is a deny naming the error.
     */
    public Evaluation evaluate(ActionRequest request, Instant now) {
        return evaluate(request, now, Set.of());
    }

    /**
     * Decides {@code request} at {@code now} with {@code anomalies} as {@code context.anomalies}
     * (see {@code AnomalySignals}). Never throws for a well-formed request.
     */
    public Evaluation evaluate(ActionRequest request, Instant now, Set<String> anomalies) {
        CedarInput input;
        try {
            input = CedarInput.of(request, now, numericKeys, anomalies, read);
        } catch (CedarInput.ContextException e) {
            return Evaluation.deny(List.of("error: " + e.getMessage()));
        }
        AuthorizationResponse response;
        try {
            response = engine.isAuthorized(input.request(), policies, input.entities());
        } catch (AuthException | RuntimeException e) {
            return Evaluation.deny(List.of("error: Cedar evaluation failed: " + e.getMessage()));
        }
        if (response.type != AuthorizationResponse.SuccessOrFailure.Success || response.success.isEmpty()) {
            return Evaluation.deny(List.of("error: Cedar evaluation failed: " + response.errors.map(Object::toString).orElse("no detail")));
        }
        return decide(response.success.get());
    }

    private Evaluation decide(AuthorizationSuccessResponse success) {
        List<PolicyRule> determining = new ArrayList<>();
        for (String cedarId : sorted(success.getReason())) {
            PolicyRule rule = rules.get(cedarId);
            if (rule == null) {
                return Evaluation.deny(List.of("error: Cedar named policy " + cedarId + ", which is not in the set"));
            }
            determining.add(rule);
        }
        List<String> reasons = new ArrayList<>(determining.stream().map(PolicyRule::id).toList());
        if (!success.getErrors().isEmpty()) {
            for (AuthorizationSuccessResponse.AuthorizationError error : success.getErrors()) {
                PolicyRule rule = rules.get(error.getPolicyId());
                reasons.add("error in policy " + (rule == null ? error.getPolicyId() : rule.id()) + ": " + error.getError().message);
            }
            return Evaluation.deny(reasons);
        }
        if (!success.isAllowed()) {
            return Evaluation.deny(reasons);
        }
        if (determining.stream().anyMatch(rule -> !rule.approvalRequired())) {
            return new Evaluation(Outcome.ALLOW, reasons, List.of(), "");
        }
        return needsApproval(determining, reasons);
    }

    private static Evaluation needsApproval(List<PolicyRule> determining, List<String> reasons) {
        boolean anyApprover = determining.stream().anyMatch(rule -> rule.approvers().isEmpty());
        Set<SpiffeId> approvers = new LinkedHashSet<>();
        List<String> texts = new ArrayList<>();
        for (PolicyRule rule : determining) {
            approvers.addAll(rule.approvers());
            texts.add(rule.reason().isEmpty() ? "policy " + rule.id() + " requires approval" : rule.reason());
        }
        return new Evaluation(Outcome.NEEDS_APPROVAL, reasons, anyApprover ? List.of() : List.copyOf(approvers),
                String.join("; ", texts));
    }

    /**
     * What the policies read: the names of every attribute they access ({@code .name},
     * {@code ["name"]}, {@code has name}), taken from Cedar's own JSON form of each policy (escapes
     * resolved, so nothing spelled otherwise is missed), for entities and for the context alike; the
     * whole context where a policy uses it other than by key (e.g. {@code context == {...}});
     * {@link CedarInput.Reads#ALL} if a policy's JSON form cannot be had. Cedar reads attributes
     * only by name, so the others cannot change a decision.
     */
    static CedarInput.Reads reads(PolicySet parsed) {
        Set<String> names = new HashSet<>();
        int[] contextUses = new int[2]; // [all uses of the context variable, uses as the record an attribute is read from]
        try {
            for (Policy policy : parsed.policies) {
                collectReads(JSONObjectUtils.parse(policy.toJson()), names, contextUses);
            }
        } catch (InternalException | ParseException | RuntimeException e) {
            return CedarInput.Reads.ALL;
        }
        Set<String> read = Set.copyOf(names);
        return new CedarInput.Reads(read::contains, contextUses[0] == contextUses[1] ? read::contains : name -> true);
    }

    /**
     * Adds the {@code attr} of every {@code "."} and {@code "has"} node under {@code node} (Cedar's
     * JSON policy format) to {@code names}, and counts the uses of {@code context}.
     */
    private static void collectReads(Object node, Set<String> names, int[] contextUses) {
        if (node instanceof Map<?, ?> map) {
            if (CONTEXT.equals(map)) {
                contextUses[0]++;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if ((".".equals(entry.getKey()) || "has".equals(entry.getKey())) && entry.getValue() instanceof Map<?, ?> access
                        && access.get("attr") instanceof String name) {
                    names.add(name);
                    if (CONTEXT.equals(access.get("left"))) {
                        contextUses[1]++;
                    }
                }
                collectReads(entry.getValue(), names, contextUses);
            }
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectReads(item, names, contextUses));
        }
    }

    /** Cedar's positional ids ({@code policy<N>}) in the order of the text. */
    private static List<String> sorted(Set<String> ids) {
        return ids.stream().sorted(TEXT_ORDER).toList();
    }

    /** Reads and checks the annotations of every policy; keyed by Cedar's positional id. */
    private static Map<String, PolicyRule> rules(String setId, PolicySet parsed) throws PolicyException {
        Map<String, PolicyRule> rules = new HashMap<>();
        Set<String> ids = new LinkedHashSet<>();
        for (Policy policy : parsed.policies) {
            ids.add(policy.getID());
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Policy policy : parsed.policies.stream().sorted(Comparator.comparing(Policy::getID, TEXT_ORDER)).toList()) {
            PolicyRule rule = rule(setId, policy, ids);
            if (!seen.add(rule.id())) {
                throw new PolicyException(setId, "two policies have the id \"" + rule.id() + "\"");
            }
            rules.put(policy.getID(), rule);
        }
        return rules;
    }

    private static PolicyRule rule(String setId, Policy policy, Set<String> cedarIds) throws PolicyException {
        Map<String, String> annotations;
        Effect effect;
        try {
            annotations = policy.getAnnotations();
            effect = policy.effect();
        } catch (InternalException e) {
            throw new PolicyException(setId, "policy " + policy.getID() + " cannot be read: " + cedarMessage(e), e);
        }
        String where = "policy " + policy.getID();
        String id = policy.getID();
        if (annotations.containsKey(ID)) {
            id = annotations.get(ID);
            where = "policy \"" + id + "\"";
            if (id.isBlank() || (!id.equals(policy.getID()) && cedarIds.contains(id))) {
                throw new PolicyException(setId, "policy " + policy.getID() + " has @id(\"" + id
                        + "\"), want a non-blank id that is not another policy's positional id");
            }
        }
        String approval = annotations.get(APPROVAL);
        boolean required = approval != null;
        if (required && !approval.equals("required")) {
            throw new PolicyException(setId, where + " has @approval(\"" + approval + "\"), want @approval(\"required\")");
        }
        if (required && effect != Effect.PERMIT) {
            throw new PolicyException(setId, where + " is a forbid with @approval; only a permit can ask for approval");
        }
        if (!required && (annotations.containsKey(APPROVERS) || annotations.containsKey(REASON))) {
            throw new PolicyException(setId, where + " has @approvers or @reason without @approval(\"required\")");
        }
        return new PolicyRule(id, required, approvers(setId, where, annotations.get(APPROVERS)),
                annotations.getOrDefault(REASON, ""));
    }

    private static List<SpiffeId> approvers(String setId, String where, String list) throws PolicyException {
        if (list == null) {
            return List.of();
        }
        List<SpiffeId> approvers = new ArrayList<>();
        for (String item : list.split(",")) {
            try {
                approvers.add(SpiffeId.parse(item.strip()));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(setId, where + " has @approvers(\"" + list
                        + "\"), want comma-separated SPIFFE IDs: " + e.getMessage(), e);
            }
        }
        return approvers;
    }

    private static String cedarMessage(InternalException e) {
        List<String> errors = e.getErrors();
        return errors == null || errors.isEmpty() ? e.getMessage() : String.join("; ", errors);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
