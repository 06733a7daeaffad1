/** C2SP signed-note, tlog-checkpoint and tlog-cosignature (cosignature/v1) with Ed25519. */
package dev.agentledger.merkle.note;
