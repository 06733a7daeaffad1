package dev.agentledger.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code agentledger approvals}: list and decide the actions waiting for a human. */
@Command(name = "approvals", mixinStandardHelpOptions = true,
        description = {
            "List the actions the policy holds for a human, and approve or deny them, on a running server.",
            "Calls the private listener's HTTPS API over mutual TLS as the operator (credentials in --data)",
            "or as an approver (--cert, --key: a certificate for spiffe://<td>/approver/<name> from the CA).",
            "Every decision is appended to the transparency log (ApprovalDecided) before it is answered; the",
            "agent then retries its token exchange with the approval id and gets its token once.",
            "'approvals login' prints a JWT-SVID to sign in to the web console (/ui/) as an approver."
        },
        subcommands = {ApprovalsListCommand.class, ApprovalDecisionCommand.Approve.class, ApprovalDecisionCommand.Deny.class,
            ApprovalsLoginCommand.class})
final class ApprovalsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
