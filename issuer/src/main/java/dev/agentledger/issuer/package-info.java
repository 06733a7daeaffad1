/**
 * Identity for agents, recorded in the transparency log before it is returned: the trust domain's
 * X.509 CA and X509-SVIDs from PKCS#10 CSRs (SPIFFE X509-SVID standard, RFC 5280, RFC 2986),
 * ES256 JWT-SVIDs (SPIFFE JWT-SVID standard, RFC 7515/7519), the SPIFFE trust bundle (JWKS,
 * RFC 7517), key rotation with overlap, and the keys at rest as encrypted PKCS#8 (RFC 5958,
 * PBES2 of RFC 8018). {@link dev.agentledger.issuer.Issuer} is the entry point. Delegations
 * ({@link dev.agentledger.issuer.Delegations}, RFC 8693 {@code act} nesting) and the RFC 8693
 * token exchange for RFC 9068 capability tokens bound by RFC 8705 ({@link
 * dev.agentledger.issuer.TokenExchange}) sign with an access-token key and reuse the formats and
 * verifier of {@code dev.agentledger.verifierclient.tokens}; the policy gate is the
 * {@link dev.agentledger.issuer.PolicyGate} seam.
 */
package dev.agentledger.issuer;
