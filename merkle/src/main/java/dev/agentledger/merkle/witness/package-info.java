/**
 * The wire formats of C2SP tlog-witness (https://c2sp.org/tlog-witness): the {@code
 * add-checkpoint} request body and the {@code text/x.tlog.size} conflict body, parsed and formatted
 * in one place for the witness and for the log that submits to it. Formats only: no I/O.
 */
package dev.agentledger.merkle.witness;
