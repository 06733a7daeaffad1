package dev.agentledger.server.http;

import dev.agentledger.ledger.Ledger;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.server.log.InvalidRequestException;
import dev.agentledger.server.log.NotFoundException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The C2SP tlog-tiles read API: {@code GET /checkpoint}, {@code GET /tile/<L>/<N>[.p/<W>]} and
 * {@code GET /tile/entries/<N>[.p/<W>]}. Full tiles never change and are cacheable forever; a
 * partial tile only briefly (a wider one will follow); the checkpoint not at all. A path that is
 * not the one canonical spelling of a tile is 400; a tile the log does not have yet is 404.
 *
 * <p>{@code /checkpoint} with witnesses configured is the <em>witnessed</em> checkpoint: the
 * newest one the witnesses cosigned, the log's signature line first, then their {@code
 * cosignature/v1} lines (until a first round collects one, the latest log-signed checkpoint). It
 * lags the log by about the witness interval; appends still answer with the fresh log-signed
 * checkpoint, which verifiers accept provisionally under the witness-lag rule and confirm against
 * a later cosigned one. Without witnesses it is the latest log-signed checkpoint.
 * {@code /checkpoint/latest} is always the newest log-signed checkpoint.
 */
final class TileService implements HttpService {
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String SHORT_LIVED = "public, max-age=10";
    private static final String ENTRIES = "tile/entries/";

    private final Ledger ledger;
    private final Optional<WitnessSubmitter> submitter;

    TileService(Ledger ledger, Optional<WitnessSubmitter> submitter) {
        this.ledger = ledger;
        this.submitter = submitter;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/checkpoint", this::checkpoint)
                .get("/checkpoint/latest", this::latestCheckpoint)
                .get("/tile/{+path}", this::tile);
    }

    private void checkpoint(ServerRequest req, ServerResponse res) {
        Optional<String> witnessed = submitter.flatMap(WitnessSubmitter::witnessedCheckpoint);
        sendNote(res, witnessed.map(n -> n.getBytes(StandardCharsets.UTF_8)).orElseGet(() -> ledger.checkpoint().noteBytes()));
    }

    private void latestCheckpoint(ServerRequest req, ServerResponse res) {
        sendNote(res, ledger.checkpoint().noteBytes());
    }

    private static void sendNote(ServerResponse res, byte[] note) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(note);
    }

    private void tile(ServerRequest req, ServerResponse res) {
        String path = req.path().rawPath().substring(1);
        boolean entries = path.startsWith(ENTRIES);
        Tile tile = parse(path, entries);
        Optional<byte[]> body = entries ? ledger.entryBundle(tile) : ledger.tile(tile);
        byte[] bytes = body.orElseThrow(() -> new NotFoundException(path + " is not in the log yet"));
        res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
        res.header(HeaderNames.CACHE_CONTROL, tile.isFull() ? IMMUTABLE : SHORT_LIVED);
        res.send(bytes);
    }

    private static Tile parse(String path, boolean entries) {
        try {
            return entries ? Tile.parseEntries(path) : Tile.parse(path);
        } catch (VerificationException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }
}
