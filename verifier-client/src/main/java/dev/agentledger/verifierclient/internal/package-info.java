/** Internals of the verifier client shared by its packages; not API, may change at any time. */
package dev.agentledger.verifierclient.internal;
