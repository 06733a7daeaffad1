package dev.agentledger.server.http;

import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.Registrations;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.server.log.LogReads;
import io.helidon.webserver.http.HttpRouting;
import java.util.List;
import java.util.Optional;
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
     * @param issuer the credential authority (trust bundle)
     * @param registrations where join tokens are redeemed
     * @param verifierKey the log's note verifier key string, published by discovery
     * @param baseUrl the public URL without trailing slash, read per request (known once bound)
     * @param privateAddress the private gRPC listener's address, read per request
     * @param submitter the witness submitter, if witnesses are configured: {@code /checkpoint}
     *     then serves its witnessed checkpoint and discovery lists the witnesses
     */
    public static void configure(HttpRouting.Builder routing, Ledger ledger, Issuer issuer, Registrations registrations,
            String verifierKey, Supplier<String> baseUrl, Supplier<String> privateAddress, Optional<WitnessSubmitter> submitter) {
        routing.register(new TileService(ledger, submitter))
                .register(ApiService.PREFIX, new ApiService(new LogReads(ledger)))
                .register(ApiService.PREFIX, new IssuerHttpService(issuer, registrations))
                .register(ConsoleService.PREFIX, new ConsoleService())
                .get("/", (req, res) -> res.status(io.helidon.http.Status.FOUND_302)
                        .header(io.helidon.http.HeaderNames.LOCATION, ConsoleService.PREFIX + "/").send())
                .register(new DiscoveryService(ledger.origin(), verifierKey, baseUrl, privateAddress,
                        submitter.map(WitnessSubmitter::witnesses).orElse(List.of())));
        HttpErrors.register(routing);
    }
}
