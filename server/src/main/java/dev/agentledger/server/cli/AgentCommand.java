package dev.agentledger.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agentledger agent}: agent instances and their identities. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Agent instances: spawn one with a logged identity (see 'agent spawn --help').",
        subcommands = {AgentSpawnCommand.class})
final class AgentCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: spawn");
    }
}
