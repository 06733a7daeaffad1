/**
 * A transparency log monitor that uses the public formats only: it follows a log through C2SP
 * tlog-tiles (https://c2sp.org/tlog-tiles), verifies every checkpoint (c2sp.org/signed-note,
 * c2sp.org/tlog-cosignature) and its consistency (RFC 9162 section 2.1.4), recomputes each root
 * from the entry bundles (RFC 9162 section 2.1.1), decodes every entry into an inventory of the
 * identities that ever existed, raises alerts on its rules, and gossips checkpoints with peer
 * monitors to catch split views. {@link dev.agentledger.verifierclient.monitor.Monitor} is the
 * entry point.
 */
package dev.agentledger.verifierclient.monitor;
