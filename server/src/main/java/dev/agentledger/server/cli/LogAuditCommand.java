package dev.agentledger.server.cli;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.SignedCheckpoint;
import dev.agentledger.ledger.StorageException;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.bootstrap.DataDir;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger log audit}: the full audit of a stopped server's log store. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {
            "Reads the whole log store of a stopped server and checks it: the latest checkpoint verifies with the",
            "log key and its root is the stored tree's, every entry hashes to its leaf, every node is the hash of",
            "its children (RFC 9162), every block's checksum holds. A server start checks only what was appended",
            "since the last audit (and that the audited part still gives the root it had); run this after a disk",
            "or file-system incident, or from time to time. Exits 1 naming the first damage found.",
            "Example: agentledger log audit --data ./agentledger-data"
        })
final class LogAuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", required = true,
            description = "The stopped server's data directory (its log store and keys/log.vkey).")
    Path data;

    @Override
    public Integer call() throws Exception {
        DataDir dir = new DataDir(data);
        Path keyFile = dir.logVerifierKey();
        if (!Files.exists(keyFile)) {
            throw new CliException(keyFile + " does not exist: give the data directory of a server");
        }
        VerifierKey key;
        try {
            key = VerifierKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8).strip());
        } catch (IllegalArgumentException e) {
            throw new CliException("malformed verifier key in " + keyFile + ": " + e.getMessage(), e);
        }
        long started = System.nanoTime();
        SignedCheckpoint audited;
        try {
            audited = Ledger.audit(dir.ledger(), key.name(), Ed25519NoteVerifier.create(key));
        } catch (StorageException e) {
            throw new CliException("the log store in " + dir.ledger() + " fails the audit: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("audited " + dir.ledger() + ": tree size " + audited.size() + ", root " + audited.checkpoint().root());
        out.println("every entry and node checked in " + (System.nanoTime() - started) / 1_000_000 + " ms; the next start audits"
                + " only what is appended after this");
        out.flush();
        return 0;
    }
}
