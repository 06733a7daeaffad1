package dev.agentledger.server.http;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.server.log.LogReads;
import io.helidon.webserver.http.HttpRouting;
import java.util.function.Supplier;

/**
 * The public listener's HTTP routes: C2SP tlog-tiles, the JSON convenience API, discovery, and
 * the error mapping they share.
 */
public final class PublicApi {
    private PublicApi() {}

    /**
     * Adds the public routes to {@code routing}.
     *
     * @param verifierKey the log's note verifier key string, published by discovery
     * @param baseUrl the public URL without trailing slash, read per request (known once bound)
     * @param privateAddress the private gRPC listener's address, read per request
     */
    public static void configure(HttpRouting.Builder routing, Ledger ledger, String verifierKey,
            Supplier<String> baseUrl, Supplier<String> privateAddress) {
        routing.register(new TileService(ledger))
                .register(ApiService.PREFIX, new ApiService(new LogReads(ledger)))
                .register(new DiscoveryService(ledger.origin(), verifierKey, baseUrl, privateAddress));
        HttpErrors.register(routing);
    }
}
