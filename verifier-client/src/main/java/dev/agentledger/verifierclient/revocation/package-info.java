/**
 * The verifier's side of revocation: {@link dev.agentledger.verifierclient.revocation.RevocationCache}
 * follows a log's revocation feed (Server-Sent Events, {@code GET /api/v1/revocations/events}, and
 * the snapshot {@code GET /api/v1/revocations/snapshot}, messages of
 * {@code agentledger/v1/revocation_service.proto} in protobuf JSON), checks every event's inclusion
 * proof against its signed checkpoint (RFC 9162, C2SP signed-note), and answers whether a
 * credential is revoked, failing closed when the feed has gone quiet.
 */
package dev.agentledger.verifierclient.revocation;
