package dev.agentledger.server.cli;

import io.helidon.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger backup}: an online backup of a running authority, written on its host. */
@Command(name = "backup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Writes an online backup of a running authority (POST /api/v1/backups, operator only) into a new",
            "directory on the server's host: a consistent copy of the log taken while it serves, reopened and",
            "checked as a restart would check it, then the rest of the data directory (settings, encrypted",
            "keys, certificates, the witnessed checkpoint). A server starts on the copy as it is:",
            "  agentledger serve --data DIR",
            "Restore only a log that has not grown since: a restored log behind the one it published would",
            "sign a second history, which witnesses refuse and monitors report (see the README, Operations).",
            "Example: agentledger backup /var/backups/agentledger-1 --data ./agentledger-data"
        })
final class BackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR",
            description = "The new backup directory on the server's host (must not exist; a relative path is taken"
                    + " from the current directory).")
    Path directory;

    @Mixin
    ApproverConnection connection;

    @Override
    public Integer call() throws Exception {
        JsonObject answer;
        try (PrivateHttp api = connection.open()) {
            answer = api.post("/api/v1/backups", JsonObject.builder()
                    .set("directory", directory.toAbsolutePath().normalize().toString()).build());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("backup written to " + answer.stringValue("directory").orElse("?"));
        out.println("log: tree size " + answer.longValue("tree_size", -1) + ", root " + answer.stringValue("root").orElse("?")
                + " (reopened and checked)");
        out.println("other files: " + answer.longValue("files", 0));
        out.println("start a server on it with: agentledger serve --data " + answer.stringValue("directory").orElse("DIR"));
        out.flush();
        return 0;
    }
}
