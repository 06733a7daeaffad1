package dev.agentledger.verifierclient.agent;

import java.util.Objects;
import java.util.Optional;

/**
 * What an agent asks the token exchange (RFC 8693 section 2.1) for: one action on one resource
 * under its delegation chain, with optional RFC 9396 {@code authorization_details}.
 *
 * @param delegationChain the chain the agent holds (the subject token)
 * @param resource the tool's SPIFFE ID ({@code resource})
 * @param action the one action ({@code scope})
 * @param authorizationDetails the RFC 9396 JSON array, if any
 */
public record CapabilityRequest(String delegationChain, String resource, String action, Optional<String> authorizationDetails) {
    /** Requires every part non-blank. */
    public CapabilityRequest {
        if (delegationChain == null || delegationChain.isBlank() || resource == null || resource.isBlank()
                || action == null || action.isBlank()) {
            throw new IllegalArgumentException("a capability request names a delegation chain, a resource and an action");
        }
        Objects.requireNonNull(authorizationDetails, "authorizationDetails");
    }

    /** A request without authorization details. */
    public static CapabilityRequest of(String delegationChain, String resource, String action) {
        return new CapabilityRequest(delegationChain, resource, action, Optional.empty());
    }

    /** The same request with {@code details} (an RFC 9396 JSON array). */
    public CapabilityRequest withAuthorizationDetails(String details) {
        return new CapabilityRequest(delegationChain, resource, action, Optional.of(details));
    }

    /** Does not print the chain. */
    @Override
    public String toString() {
        return "CapabilityRequest[" + action + " on " + resource + "]";
    }
}
