/**
 * Identity and authorization: attestation, the X.509-SVID CA, JWT-SVIDs, the trust bundle,
 * delegation, RFC 8693 token exchange, capability tokens, the policy gate and human approvals, each
 * recorded to the ledger before it is answered. Not built yet: this module is empty until then.
 */
package dev.agentledger.issuer;
