package dev.agentledger.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code agentledger} command line: the root command and its subcommands. */
@Command(
        name = "agentledger",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {ServeCommand.class, DemoCommand.class, AgentCommand.class, LogCommand.class, WitnessCommand.class,
            MonitorCommand.class, RevokeCommand.class, ApprovalsCommand.class, VerifyCommand.class, BackupCommand.class,
            KeysCommand.class, ProxyCommand.class},
        description = {
            "A transparency-logged credential authority for AI agents.",
            "",
            "Every credential, delegation, capability token, policy decision, approval and",
            "revocation is appended to a Merkle transparency log (RFC 9162, C2SP checkpoints and",
            "tiles) before it is answered, and the answer carries its inclusion proof."
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests and embedding. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(Main::report);
    }

    /** Prints a failure as one line that says what to do; a stack trace only for the unexpected. */
    private static int report(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
        java.io.PrintWriter err = commandLine.getErr();
        switch (e) {
            case CliException c -> err.println("agentledger: " + c.getMessage());
            case io.grpc.StatusRuntimeException s -> err.println("agentledger: the server refused: "
                    + s.getStatus().getCode() + (s.getStatus().getDescription() == null ? "" : ": " + s.getStatus().getDescription())
                    + (s.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                            ? " (is the server running at that --private-addr?)" : ""));
            case java.io.IOException io -> err.println("agentledger: " + io.getMessage());
            default -> {
                err.println("agentledger: unexpected failure:");
                e.printStackTrace(err);
            }
        }
        err.flush();
        return 1;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"agentledger " + properties.getProperty("version", "unknown")};
        }
    }
}
