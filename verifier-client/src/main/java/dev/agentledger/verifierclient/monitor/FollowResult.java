package dev.agentledger.verifierclient.monitor;

import dev.agentledger.verifierclient.VerifiedCheckpoint;

/**
 * What one {@link Monitor#follow} did.
 *
 * @param checkpoint the checkpoint presented, verified and consistent with the monitor's
 * @param entriesRead how many entries were read, hashed and decoded for it (0 if it was not newer)
 * @param latest the monitor's latest verified checkpoint afterwards
 */
public record FollowResult(VerifiedCheckpoint checkpoint, long entriesRead, VerifiedCheckpoint latest) {}
