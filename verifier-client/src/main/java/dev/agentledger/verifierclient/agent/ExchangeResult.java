package dev.agentledger.verifierclient.agent;

import java.util.Optional;

/** How a token exchange ended: a token, a denial, a wait that timed out, or a refusal. */
public sealed interface ExchangeResult {
    /**
     * A single-use capability token: use it for one call, then drop it; it is never cached.
     *
     * @param token the RFC 9068 JWT access token
     * @param logIndex the index of its {@code CapabilityTokenIssued} entry
     * @param expiresInSeconds its {@code expires_in}
     * @param approvalId the approval it waited for, if any
     */
    record Granted(String token, long logIndex, long expiresInSeconds, Optional<String> approvalId) implements ExchangeResult {
        /** Does not print the token. */
        @Override
        public String toString() {
            return "Granted[log index " + logIndex + ", expires in " + expiresInSeconds + " s" + approvalId.map(a -> ", approval " + a).orElse("") + "]";
        }
    }

    /**
     * The policy or a human said no ({@code access_denied}, or the approval was rejected or expired).
     *
     * @param reason why, as the authority said it
     * @param approvalId the approval that was rejected or expired, if any
     */
    record Denied(String reason, Optional<String> approvalId) implements ExchangeResult {}

    /**
     * Nobody decided the approval before the agent's timeout; it may still be decided later.
     *
     * @param approvalId the approval still pending
     */
    record TimedOut(String approvalId) implements ExchangeResult {}

    /**
     * The exchange was refused for another reason (RFC 6749 section 5.2 error).
     *
     * @param error the OAuth error code, e.g. {@code invalid_scope}
     * @param description the authority's description
     */
    record Refused(String error, String description) implements ExchangeResult {}
}
