/**
 * Identity for agents, recorded in the transparency log before it is returned: the trust domain's
 * X.509 CA and X509-SVIDs from PKCS#10 CSRs (SPIFFE X509-SVID standard, RFC 5280, RFC 2986),
 * ES256 JWT-SVIDs (SPIFFE JWT-SVID standard, RFC 7515/7519), the SPIFFE trust bundle (JWKS,
 * RFC 7517), key rotation with overlap, and the keys at rest as encrypted PKCS#8 (RFC 5958,
 * PBES2 of RFC 8018). {@link dev.agentledger.issuer.Issuer} is the entry point. Delegation, token
 * exchange (RFC 8693), capability tokens, the policy gate and approvals come later.
 */
package dev.agentledger.issuer;
