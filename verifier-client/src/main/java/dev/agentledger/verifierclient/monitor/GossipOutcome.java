package dev.agentledger.verifierclient.monitor;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What checking one gossiped checkpoint found.
 *
 * @param status the verdict
 * @param detail what was compared and why this verdict, for humans
 * @param evidence for a split view, the file holding both signed notes; empty otherwise
 */
public record GossipOutcome(Status status, String detail, Optional<Path> evidence) {
    /** The verdict on a gossiped checkpoint. */
    public enum Status {
        /** Signed by the log and consistent with ours (or we have none yet to compare). */
        CONSISTENT,
        /** Signed by the log, but the tiles needed to compare are not available (yet); try again later. */
        UNRESOLVED,
        /** Signed by the log and inconsistent with ours: the log showed two histories. */
        SPLIT_VIEW,
        /** Not a checkpoint of this log: malformed, wrong origin, or no valid log signature. */
        REJECTED
    }
}
