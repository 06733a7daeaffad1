package dev.agentledger.server.auth;

/** What an authenticated identity may do on the private listener. */
public enum Role {
    /** Runs the authority: may do everything below, append raw entries, publish policies. */
    OPERATOR,
    /** Spawns agents: registers workloads and obtains their first credentials. */
    ORCHESTRATOR,
    /** Decides pending human approvals. */
    APPROVER,
    /** Revokes credentials, delegations, agents and users. */
    REVOKER,
    /** A human user: delegates to agents. */
    USER,
    /** An agent: renews its SVIDs, sub-delegates, exchanges for capability tokens. */
    AGENT,
    /** A tool (resource server): consumes single-use tokens. */
    TOOL
}
