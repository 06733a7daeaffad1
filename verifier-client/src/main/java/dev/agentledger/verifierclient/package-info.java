/**
 * What a stranger runs to check the authority with public formats only: credential, proof,
 * checkpoint, cosignature and revocation verification, and the monitor and witness tooling. Depends
 * on {@code merkle} and {@code proto}, never on the server side. Not built yet: empty until then.
 */
package dev.agentledger.verifierclient;
