/**
 * The agent SDK: an agent process bootstraps from a one-time join token to an X509-SVID whose
 * P-256 key never leaves it, checks that the SVID is logged (inclusion proof to a checkpoint signed
 * by the pinned log key) and follows the SPIFFE X509-SVID rules before using it, renews it at
 * about half its lifetime over mTLS with the current one, presents the newest through
 * {@link dev.agentledger.verifierclient.agent.SvidKeyManager}, exchanges its delegation for
 * single-use capability tokens (RFC 8693), waiting for a human approval when the policy asks, and
 * stops using its identity once the revocation feed says it is revoked.
 * {@link dev.agentledger.verifierclient.agent.Agent} is the entry point.
 */
package dev.agentledger.verifierclient.agent;
