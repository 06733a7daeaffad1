/**
 * The transports of revocation ({@code agentledger/v1/revocation_service.proto}): gRPC
 * {@code Revoke} and {@code WatchRevocations} and {@code POST /api/v1/revocations} on the private
 * mTLS listener, the feed as Server-Sent Events and the snapshot on the public listener.
 */
package dev.agentledger.server.revocation;
