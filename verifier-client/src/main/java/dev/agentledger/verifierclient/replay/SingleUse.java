package dev.agentledger.verifierclient.replay;

import java.io.IOException;
import java.time.Instant;

/**
 * Spends a single-use token: returns only once the token is durably recorded as used, and refuses
 * one used before. A local journal ({@link ConsumedTokens}) serves a tool on one machine; the
 * authority's central consumption ({@link AuthorityConsumption}) serves replicated tools.
 */
public interface SingleUse {
    /**
     * Records {@code token} (id {@code tokenId}, valid until {@code expires}) as used.
     *
     * @throws ReplayException if it was used before
     * @throws IOException if it could not be recorded: the caller must refuse the token
     */
    void spend(String token, String tokenId, Instant expires) throws ReplayException, IOException;
}
