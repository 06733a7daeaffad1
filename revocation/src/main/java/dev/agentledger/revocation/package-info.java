/**
 * Revocation by SPIFFE ID, certificate serial, token id or delegation (with cascade), recorded to the
 * ledger and broadcast to subscribers. Not built yet: this module is empty until then.
 */
package dev.agentledger.revocation;
