package dev.agentledger.issuer;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.LogEntry;
import java.util.concurrent.ExecutionException;

/** How the issuer's components append: one entry, waiting until it is durable and in a signed checkpoint. */
public final class Appends {
    private Appends() {}

    /**
     * Appends {@code entry} to {@code ledger} and waits for it.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log refused or failed, or the wait was interrupted
     * @throws IllegalStateException if the log failed in a way it does not declare
     */
    public static Appended await(Ledger ledger, LogEntry entry) throws IssuanceException {
        try {
            return ledger.append(LogEntries.serialize(entry), false).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LedgerException) {
                throw new IssuanceException(Reason.NOT_LOGGED, "the log did not append the entry: " + cause.getMessage(), cause);
            }
            throw new IllegalStateException("the log failed unexpectedly", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IssuanceException(Reason.NOT_LOGGED, "interrupted while waiting for the log", e);
        }
    }
}
