/**
 * Protobuf messages for log entries and the gRPC {@code LedgerService}, generated from
 * {@code agentledger/v1/*.proto} into {@code dev.agentledger.proto.v1}, and {@link
 * dev.agentledger.proto.LogEntries}, the one place that turns entry bytes into a checked {@code
 * LogEntry} and back.
 *
 * <p>A {@code LogEntry} holds one {@code oneof} case per event kind and never a secret (tokens by
 * id and SHA-256, keys by public key or fingerprint). Its serialized form is the leaf of the RFC
 * 9162 Merkle tree and travels in C2SP tlog-tiles entry bundles, whose 2-byte length prefix caps an
 * entry at 65535 bytes. Generated types stay inside this module and the transport edges.
 */
package dev.agentledger.proto;
