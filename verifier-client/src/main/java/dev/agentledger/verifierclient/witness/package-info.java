/**
 * A transparency log witness (c2sp.org/tlog-witness, {@code add-checkpoint}): verifies a log's
 * signed checkpoint (c2sp.org/tlog-checkpoint) and a consistency proof from the size it last
 * cosigned (RFC 9162 section 2.1.4), records the new size and root durably, and answers with its
 * {@code cosignature/v1} (c2sp.org/tlog-cosignature). Transport-free: {@link
 * dev.agentledger.verifierclient.witness.Witness} throws domain errors, and the HTTP edge maps each
 * {@link dev.agentledger.verifierclient.witness.WitnessException} subtype to the spec's status.
 */
package dev.agentledger.verifierclient.witness;
