package dev.agentledger.server.http;

import dev.agentledger.ledger.IndexKey;
import dev.agentledger.server.log.InvalidRequestException;
import dev.agentledger.server.log.LogReads;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.HeaderNames;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The convenience JSON API under {@code /api/v1}: inclusion and consistency proofs, one entry
 * decoded with its proof, and lookups by SPIFFE ID, certificate serial or token id. Everything it
 * returns can be checked against {@code /checkpoint} and the tiles; it is never needed to verify.
 */
final class ApiService implements HttpService {
    static final String PREFIX = "/api/v1";
    private static final Map<String, IndexKey.Kind> LOOKUP_KEYS = Map.of(
            "spiffe_id", IndexKey.Kind.SPIFFE_ID, "serial", IndexKey.Kind.SERIAL, "token_id", IndexKey.Kind.TOKEN_ID);

    private final LogReads reads;

    ApiService(LogReads reads) {
        this.reads = reads;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/proof/inclusion", this::inclusion)
                .get("/proof/consistency", this::consistency)
                .get("/entries/{index}", this::entry)
                .get("/lookup", this::lookup);
    }

    private void inclusion(ServerRequest req, ServerResponse res) {
        long index = number(req.query(), "index", -1);
        if (index < 0) {
            throw new InvalidRequestException("query parameter index is required");
        }
        send(res, JsonViews.proven(reads.entry(index, number(req.query(), "size", 0)), false));
    }

    private void consistency(ServerRequest req, ServerResponse res) {
        long size1 = number(req.query(), "size1", -1);
        if (size1 < 0) {
            throw new InvalidRequestException("query parameter size1 is required");
        }
        send(res, JsonViews.consistency(reads.consistency(size1, number(req.query(), "size2", 0))));
    }

    private void entry(ServerRequest req, ServerResponse res) {
        long index = parseNumber("index", req.path().pathParameters().get("index"));
        send(res, JsonViews.proven(reads.entry(index, number(req.query(), "size", 0)), true));
    }

    private void lookup(ServerRequest req, ServerResponse res) {
        List<String> given = LOOKUP_KEYS.keySet().stream().filter(req.query()::contains).toList();
        if (given.size() != 1) {
            throw new InvalidRequestException("give exactly one of spiffe_id, serial or token_id");
        }
        String name = given.get(0);
        String value = req.query().get(name);
        long from = number(req.query(), "from", 0);
        long limit = number(req.query(), "limit", LogReads.DEFAULT_LOOKUP_LIMIT);
        int pageLimit = (int) Math.min(limit, Integer.MAX_VALUE);
        List<Long> found = reads.lookup(LOOKUP_KEYS.get(name), value, from, pageLimit);
        JsonObject.Builder json = JsonObject.builder()
                .set("key", name)
                .set("value", value)
                .set("indexes", JsonArray.createNumbers(found.stream().map(BigDecimal::valueOf).toList()));
        if (found.size() == pageLimit) {
            json.set("next_from", found.get(found.size() - 1) + 1);
        }
        send(res, json.build());
    }

    private static long number(UriQuery query, String name, long absent) {
        return query.contains(name) ? parseNumber(name, query.get(name)) : absent;
    }

    private static long parseNumber(String name, String text) {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " is \"" + text + "\", want a number 0.." + Long.MAX_VALUE);
        }
    }

    static void send(ServerResponse res, JsonObject json) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(json.toString());
    }
}
