/**
 * The transparency log: RocksDB storage, the sequencer (batching, group commit, durable before
 * acknowledgement), integration into C2SP tiles, checkpoint signing and the read API. Not built yet:
 * this module is empty until the ledger lands.
 */
package dev.agentledger.ledger;
