package dev.agentledger.server.http;

import dev.agentledger.ledger.WitnessSubmitter;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonValue;
import java.util.List;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.function.Supplier;

/**
 * {@code GET /.well-known/agentledger}: the log's origin, its note verifier key, and where every
 * other endpoint is, and the witnesses that cosign its checkpoints (url and vkey), so a client configured with one URL finds the rest.
 */
final class DiscoveryService implements HttpService {
    static final String PATH = "/.well-known/agentledger";

    private final String origin;
    private final String verifierKey;
    private final Supplier<String> baseUrl;
    private final Supplier<String> privateAddress;
    private final List<WitnessSubmitter.Witness> witnesses;

    /**
     * @param baseUrl the public listener's URL without a trailing slash (known once it is bound)
     * @param privateAddress the private gRPC listener's {@code host:port}
     * @param witnesses the witnesses the log submits to (listed with their keys)
     */
    DiscoveryService(String origin, String verifierKey, Supplier<String> baseUrl, Supplier<String> privateAddress,
            List<WitnessSubmitter.Witness> witnesses) {
        this.witnesses = List.copyOf(witnesses);
        this.origin = origin;
        this.verifierKey = verifierKey;
        this.baseUrl = baseUrl;
        this.privateAddress = privateAddress;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::discovery);
    }

    private void discovery(ServerRequest req, ServerResponse res) {
        String base = baseUrl.get();
        String api = base + ApiService.PREFIX;
        ApiService.send(res, JsonObject.builder()
                .set("origin", origin)
                .set("log_vkey", verifierKey)
                .set("monitoring_url", base + "/")
                .set("checkpoint_url", base + "/checkpoint")
                .set("latest_checkpoint_url", base + "/checkpoint/latest")
                .set("witnesses", JsonArray.create(witnesses.stream()
                        .map(w -> (JsonValue) JsonObject.builder().set("url", w.url().toString())
                                .set("vkey", w.key().toString()).build())
                        .toList()))
                .set("tiles_url", base + "/tile/")
                .set("entries_url", base + "/tile/entries/")
                .set("inclusion_proof_url", api + "/proof/inclusion")
                .set("consistency_proof_url", api + "/proof/consistency")
                .set("entry_url", api + "/entries/")
                .set("lookup_url", api + "/lookup")
                .set("bundle_url", api + "/bundle")
                .set("join_url", api + "/join")
                .set("console_url", base + ConsoleService.PREFIX + "/")
                .set("health_url", base + "/observe/health")
                .set("metrics_url", base + "/observe/metrics")
                .set("append_grpc_address", privateAddress.get())
                .build());
    }
}
