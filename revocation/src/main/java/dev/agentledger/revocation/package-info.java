/**
 * Revocation by SPIFFE ID, certificate serial, token id, delegation, agent instance or user, with
 * cascade to everything derived from the target, recorded to the transparency log before anything
 * else and then broadcast, numbered, to subscribers that can resume from any sequence. The entry
 * type is {@link dev.agentledger.revocation.Revocations}; the events and heartbeats it sends are
 * the messages of {@code agentledger/v1/revocation_service.proto}.
 */
package dev.agentledger.revocation;
