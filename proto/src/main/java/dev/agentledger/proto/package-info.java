/**
 * Protobuf messages for log entries ({@code LogEntry}, one {@code oneof} case per event kind) and the
 * gRPC services. Generated types stay inside this module and the transport edges. The schema arrives
 * with the ledger; this module is empty until then.
 */
package dev.agentledger.proto;
