package dev.agentledger.server.cli;

import dev.agentledger.server.AgentLedgerServer;
import dev.agentledger.server.ServerConfig;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What {@code serve} prints once it listens: endpoints, identities, and where every file is. */
final class StartupReport {
    private StartupReport() {}

    static void print(PrintWriter out, Bootstrap.Prepared prepared, AgentLedgerServer server, ServerConfig config) {
        DataDir dir = prepared.dir();
        if (!prepared.created().isEmpty()) {
            out.println("First start: created in " + dir.root() + ":");
            for (Path p : prepared.created()) {
                out.println("  " + dir.root().relativize(p));
            }
        }
        out.println("AgentLedger log " + prepared.settings().origin() + " (trust domain "
                + prepared.settings().trustDomain() + "), tree size " + server.ledger().checkpoint().size());
        out.println("  log verifier key  " + prepared.logKey().verifierKey());
        out.println("Public read API " + server.publicUrl());
        out.println("  discovery         " + server.publicUrl() + "/.well-known/agentledger");
        out.println("  checkpoint        " + server.publicUrl() + "/checkpoint"
                + (config.witnesses().isEmpty() ? "" : " (witnessed), newest: /checkpoint/latest"));
        config.witnesses().forEach(w -> out.println("  witness           " + w.url() + " " + w.key()));
        out.println("  tiles             " + server.publicUrl() + "/tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]");
        out.println("  JSON API          " + server.publicUrl() + "/api/v1/{proof/inclusion,proof/consistency,entries/<i>,lookup}");
        out.println("  health, metrics   " + server.publicUrl() + "/observe/health, /observe/metrics");
        out.println("Private append API (gRPC, mTLS) " + server.privateAddress());
        out.println("  appenders         " + (config.appenders().isEmpty() ? prepared.operatorId() : config.appenders()));
        out.println("Files in " + dir.root() + ":");
        out.println("  log store         " + dir.ledger());
        out.println("  checkpoint key    " + dir.logKey() + " (secret)");
        out.println("  verifier key      " + dir.logVerifierKey());
        out.println("  CA certificate    " + dir.caCertificate() + ", key " + dir.caKey() + " (secret)");
        out.println("  server cert       " + dir.serverCertificate() + ", key " + dir.serverKey() + " (secret)");
        out.println("  operator cert     " + dir.operatorCertificate() + ", key " + dir.operatorKey() + " (secret)");
        out.println("Private keys are encrypted at rest under the key passphrase ("
                + (prepared.passphrase().source() == dev.agentledger.server.bootstrap.KeyPassphrase.Source.ENVIRONMENT
                        ? dev.agentledger.server.bootstrap.KeyPassphrase.VARIABLE : dir.keyPassphrase()) + ")"
                + (config.keys() instanceof dev.agentledger.server.config.KeyStorage.Pkcs11
                        ? "; the issuer's CA, JWT-SVID and access-token keys are in the PKCS#11 token." : "."));
        out.println("Append with: agentledger log add --data " + dir.root() + " --private-addr " + server.privateAddress() + " '<LogEntry JSON>'");
        out.println("Press Ctrl-C to stop.");
    }
}
