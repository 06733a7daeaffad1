package dev.agentledger.issuer;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.LedgerException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * How the issuer's components append: one entry, or several submitted back to back (so that the
 * log's sequencer takes them into one batch, in this order), waiting until each is durable and in a
 * signed checkpoint.
 */
public final class Appends {
    private Appends() {}

    /**
     * Appends {@code entry} to {@code ledger} and waits for it.
     *
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log refused or failed, or the wait was interrupted
     * @throws IllegalStateException if the log failed in a way it does not declare
     */
    public static Appended await(Ledger ledger, LogEntry entry) throws IssuanceException {
        return await(ledger.append(LogEntries.serialize(entry), false));
    }

    /**
     * Appends {@code entries} in this order, each submitted before any is waited for, and waits for
     * all of them: one sync and one checkpoint for all, unless the log's batch was full.
     *
     * @return what each append returned, in the order of {@code entries}
     * @throws IssuanceException ({@code NOT_LOGGED}) if the log refused or failed any of them (the
     *     others may be logged), or the wait was interrupted
     */
    public static List<Appended> awaitAll(Ledger ledger, List<LogEntry> entries) throws IssuanceException {
        List<byte[]> serialized = new ArrayList<>(entries.size());
        for (LogEntry entry : entries) {
            serialized.add(LogEntries.serialize(entry)); // all checked before any is submitted
        }
        List<CompletableFuture<Appended>> submitted = new ArrayList<>(entries.size());
        for (byte[] entry : serialized) {
            submitted.add(ledger.append(entry, false));
        }
        List<Appended> appended = new ArrayList<>(entries.size());
        for (CompletableFuture<Appended> future : submitted) {
            appended.add(await(future));
        }
        return appended;
    }

    private static Appended await(CompletableFuture<Appended> future) throws IssuanceException {
        try {
            return future.get();
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
