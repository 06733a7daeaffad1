package dev.agentledger.server.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of the {@code agentledger} command line in this JVM, as a user would type it.
 *
 * @param exit the exit code
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
public record CliRun(int exit, String out, String err) {
    /** Runs {@code agentledger args...}. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** Runs {@code agentledger args...}. */
    public static CliRun run(List<String> args) {
        return run(args.toArray(String[]::new));
    }
}
