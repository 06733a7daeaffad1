package dev.agentledger.issuer;

import java.util.Objects;

/**
 * What an orchestrator gets back from registering an agent instance: the registration and the
 * one-time join token to hand to the instance (a secret).
 *
 * @param registration the logged registration
 * @param joinToken the join token, valid once until its expiry
 */
public record Registered(Registration registration, JoinToken joinToken) {
    /** Requires both parts. */
    public Registered {
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(joinToken, "joinToken");
    }
}
