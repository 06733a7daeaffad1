package dev.agentledger.revocation;

import dev.agentledger.ledger.SignedCheckpoint;
import java.time.Instant;

/**
 * Sent to every live subscriber every second: the last sequence sent before it and the latest
 * checkpoint, which covers every event up to that sequence.
 *
 * @param sequence the last sequence numbered (0 when there is none yet)
 * @param checkpoint the latest signed checkpoint the feed has read the log up to
 * @param time when the heartbeat was made
 */
public record Heartbeat(long sequence, SignedCheckpoint checkpoint, Instant time) {}
