package dev.agentledger.server.cli;

import dev.agentledger.server.demo.DemoRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger demo}: the whole story on a fresh authority, printed step by step. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs the whole AgentLedger story on a fresh authority in this process, through its real",
            "APIs: agents spawned by an orchestrator obtain logged X509-SVIDs, a witness cosigns the",
            "log, and every answer is checked against the log's proofs. Prints each step and a",
            "summary table (or one JSON document with --json).",
            "Example: agentledger demo --keep   (then open the console URL it prints)"
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Keep the demo's state here (must not exist yet). Default: a temporary directory, deleted at the end.")
    Path data;

    @Option(names = "--json", description = "Print one JSON document with every step instead of the readable story.")
    boolean json;

    @Option(names = "--keep", description = "Leave the authority running after the story (for the web console); stop with Ctrl-C.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            DemoRun.run(out, json, keep, java.util.Optional.ofNullable(data));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        return 0;
    }
}
