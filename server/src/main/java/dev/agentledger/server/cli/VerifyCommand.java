package dev.agentledger.server.cli;

import dev.agentledger.merkle.VerificationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentledger verify}: checks a credential with only the authority's public material. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Checks a credential the way a tool or an auditor would, trusting nothing but public",
            "material fetched from the authority's public API (--public-url): the SPIFFE trust bundle",
            "(/api/v1/bundle), the access-token keys (/api/v1/token-keys) and, for log proofs, the",
            "log's note key (--vkey; else --data; else the discovery document, with a warning).",
            "Prints each check that passed; on the first that fails, says which and exits 1."
        },
        subcommands = {VerifySvidCommand.class, VerifyJwtSvidCommand.class, VerifyTokenCommand.class,
            VerifyChainCommand.class})
final class VerifyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One verification step, which may refuse its input. */
    interface Check<T> {
        T run() throws VerificationException;
    }

    /**
     * The result of {@code check}, or a failure that names {@code what} was being checked and why
     * it failed.
     */
    static <T> T check(String what, Check<T> check) throws CliException {
        try {
            return check.run();
        } catch (VerificationException e) {
            throw new CliException("FAILED " + what + ": " + e.getMessage(), e);
        }
    }
}
