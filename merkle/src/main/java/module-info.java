/**
 * RFC 9162 Merkle trees and the C2SP formats around them: proofs, compact ranges, tiles, signed
 * notes, checkpoints and cosignatures. Pure functions over bytes: no I/O, no threads, JDK only.
 */
module dev.agentledger.merkle {
    exports dev.agentledger.merkle;
    exports dev.agentledger.merkle.note;
}
