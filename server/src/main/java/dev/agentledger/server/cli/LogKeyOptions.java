package dev.agentledger.server.cli;

import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.PublicLogClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the reading commands find the public API and the log's verifier key: {@code --vkey}, else
 * the key file in {@code --data}, else (with a warning) the server's own discovery document.
 */
final class LogKeyOptions {
    @Mixin
    PublicApiOptions api;

    @Option(names = "--data", paramLabel = "DIR",
            description = "The server's data directory, to read the log's verifier key from keys/log.vkey.")
    Path data;

    @Option(names = "--vkey", paramLabel = "VKEY",
            description = "The log's note verifier key (<name>+<id>+<key>), as printed by serve.")
    String vkey;

    PublicLogClient client() {
        return api.client();
    }

    /** The verifier of the log's checkpoints, from the most trustworthy source given. */
    NoteVerifier verifier(PrintWriter err) throws CliException, IOException {
        return Ed25519NoteVerifier.create(verifierKey(err));
    }

    /** The log's verifier key, from the most trustworthy source given; its name is the log's origin. */
    VerifierKey verifierKey(PrintWriter err) throws CliException, IOException {
        String key = vkey;
        if (key == null && data != null) {
            Path file = new DataDir(data).logVerifierKey();
            if (!Files.exists(file)) {
                throw new CliException(file + " does not exist: give the data directory of the server, or --vkey");
            }
            key = Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        if (key == null) {
            key = client().getJson("/.well-known/agentledger").stringValue("log_vkey")
                    .orElseThrow(() -> new CliException("the server's discovery document has no log_vkey; give --vkey"));
            err.println("warning: verifying with the key the server itself announced; give --vkey or --data to check it independently");
            err.flush();
        }
        try {
            VerifierKey parsed = VerifierKey.parse(key);
            Ed25519NoteVerifier.create(parsed); // refuses a key of another type here, as a CliException
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new CliException("malformed verifier key: " + e.getMessage(), e);
        }
    }
}
