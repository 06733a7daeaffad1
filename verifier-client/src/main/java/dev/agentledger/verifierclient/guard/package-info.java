/**
 * The checks a tool runs on every call, in one place: the caller's X509-SVID (mutual TLS), its
 * capability token (RFC 9068, bound to that certificate by RFC 8705 {@code cnf}), revocation from
 * the feed (fail closed when stale), proof that the token is logged, and single use. Adapters make
 * it one line in a Helidon route or a gRPC service.
 */
package dev.agentledger.verifierclient.guard;
