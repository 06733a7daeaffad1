package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What an orchestrator tells the authority when it spawns an agent instance, or an operator when
 * it enrols a tool. An agent instance gets the SPIFFE ID {@code spiffe://<td>/agent/<name>/<instance>},
 * a tool {@code spiffe://<td>/tool/<name>}. Every value is logged: no secrets.
 *
 * @param kind an agent instance or a tool
 * @param agentName the agent program, e.g. {@code invoice-bot}: 1 to 63 of {@code a-z 0-9 . _ -}
 * @param instance the instance id, same syntax; empty to let the authority pick a random one
 * @param task the task the instance runs for (id or short description), at most 256 characters
 * @param actingUser the user the instance acts for ({@code spiffe://<td>/user/<name>}), if any
 * @param environment e.g. {@code prod}, at most 64 characters, may be empty
 * @param selectors attestation selectors ({@code type:value}), at most 32
 * @param lifetime how long the registration lets the instance renew its SVIDs, 1 minute to 30 days
 */
public record WorkloadSpec(Kind kind, String agentName, Optional<String> instance, String task, Optional<SpiffeId> actingUser,
        String environment, List<String> selectors, Duration lifetime) {
    /** The default registration lifetime. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);
    /** The longest registration lifetime. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(30);
    private static final Pattern NAME = Pattern.compile("[a-z0-9._-]{1,63}");

    /** What is registered. */
    public enum Kind {
        /** One run of an agent: {@code /agent/<name>/<instance>}. */
        AGENT,
        /** A tool (resource server) agents call: {@code /tool/<name>}, no instance. */
        TOOL
    }

    /** Validates; throws {@link IllegalArgumentException} naming the bad value. */
    public WorkloadSpec {
        Objects.requireNonNull(kind, "kind");
        requireName("agent name", agentName);
        Objects.requireNonNull(instance, "instance");
        if (kind == Kind.TOOL && instance.isPresent()) {
            throw new IllegalArgumentException("a tool has one ID, spiffe://<td>/tool/<name>: give no instance");
        }
        instance.ifPresent(i -> requireName("instance", i));
        task = Objects.requireNonNullElse(task, "");
        environment = Objects.requireNonNullElse(environment, "");
        Objects.requireNonNull(actingUser, "actingUser");
        selectors = List.copyOf(selectors);
        if (task.length() > 256 || environment.length() > 64 || selectors.size() > 32
                || selectors.stream().anyMatch(s -> s.isEmpty() || s.length() > 256 || s.indexOf(':') < 1)) {
            throw new IllegalArgumentException("task (<= 256), environment (<= 64) or selectors (<= 32 of type:value) out of bounds");
        }
        if (lifetime.compareTo(Duration.ofMinutes(1)) < 0 || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("registration lifetime " + lifetime + " is not in [PT1M, " + MAX_LIFETIME + "]");
        }
    }

    /** A spec with only a name: random instance, no task, user or selectors, default lifetime. */
    public static WorkloadSpec named(String agentName) {
        return new WorkloadSpec(Kind.AGENT, agentName, Optional.empty(), "", Optional.empty(), "", List.of(), DEFAULT_LIFETIME);
    }

    /** A tool named {@code name}, registered for the longest lifetime. */
    public static WorkloadSpec tool(String name) {
        return new WorkloadSpec(Kind.TOOL, name, Optional.empty(), "", Optional.empty(), "", List.of(), MAX_LIFETIME);
    }

    /** The same spec acting for {@code user}. */
    public WorkloadSpec actingFor(SpiffeId user) {
        return new WorkloadSpec(kind, agentName, instance, task, Optional.of(user), environment, selectors, lifetime);
    }

    /** The same spec for one task. */
    public WorkloadSpec forTask(String newTask) {
        return new WorkloadSpec(kind, agentName, instance, newTask, actingUser, environment, selectors, lifetime);
    }

    private static void requireName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " " + (value == null ? "null" : "\"" + value + "\"")
                    + " is not 1 to 63 of a-z 0-9 . _ - (and not . or ..)");
        }
    }
}
