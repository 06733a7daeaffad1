/**
 * What a stranger runs to check the log with public formats only: {@link
 * dev.agentledger.verifierclient.LogVerifier} opens checkpoints (c2sp.org/tlog-checkpoint, signed
 * as c2sp.org/signed-note, cosigned per c2sp.org/tlog-cosignature) and checks inclusion proofs
 * (RFC 9162 section 2.1.3); {@link dev.agentledger.verifierclient.CheckpointTracker} keeps the
 * latest verified checkpoint and moves forward only through verified consistency proofs (RFC 9162
 * section 2.1.4). Depends on {@code merkle} only, never on the server side.
 */
package dev.agentledger.verifierclient;
