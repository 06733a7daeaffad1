/**
 * Delegation chains and capability tokens, their formats and their offline verification:
 * delegation hops are ES256 JWSs (RFC 7515, RFC 7519) with {@code typ} {@code delegation+jwt} and
 * RFC 8693 section 4.1 {@code act} nesting; capability tokens are RFC 9068 JWT access tokens
 * ({@code typ} {@code at+jwt}) bound to a certificate by RFC 8705 section 3.1 {@code cnf}
 * {@code x5t#S256}, optionally with RFC 9396 {@code authorization_details}. The access-token keys
 * are a JWK set (RFC 7517). {@link dev.agentledger.verifierclient.tokens.TokenVerifier} is the
 * entry point; {@link dev.agentledger.verifierclient.tokens.AccessPattern} holds the one rule set
 * for action and resource patterns. The issuer signs with these same formats.
 */
package dev.agentledger.verifierclient.tokens;
