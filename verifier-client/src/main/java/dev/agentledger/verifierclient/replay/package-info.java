/**
 * Single use for tools that accept tokens on one machine: a durable local set of the token ids
 * already accepted, kept for each token's lifetime (replicated tools use the authority's central
 * consume call instead).
 */
package dev.agentledger.verifierclient.replay;
