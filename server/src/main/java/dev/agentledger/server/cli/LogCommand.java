package dev.agentledger.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentledger log}: append to and read from a running log. */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Append entries to a running log and read them back with proofs, verified locally.",
        subcommands = {LogAddCommand.class, LogGetCommand.class, LogProofCommand.class, LogAuditCommand.class})
final class LogCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
