package dev.agentledger.server.witness;

import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.verifierclient.witness.InconsistentCheckpointException;
import dev.agentledger.verifierclient.witness.MalformedRequestException;
import dev.agentledger.verifierclient.witness.SizeConflictException;
import dev.agentledger.verifierclient.witness.UnknownOriginException;
import dev.agentledger.verifierclient.witness.UnsignedCheckpointException;
import dev.agentledger.verifierclient.witness.Witness;
import dev.agentledger.verifierclient.witness.WitnessException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code POST /add-checkpoint} (c2sp.org/tlog-witness) over a {@link Witness}, and the one place
 * its refusals become HTTP status: malformed 400, unsigned 403, unknown origin 404, size conflict
 * 409 (body {@code <size>\n}, {@code text/x.tlog.size}), inconsistent 422; a storage failure 503.
 */
final class WitnessService implements HttpService {
    static final String PATH = "/add-checkpoint";
    private static final System.Logger LOG = System.getLogger(WitnessService.class.getName());

    private final Witness witness;

    WitnessService(Witness witness) {
        this.witness = witness;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post(PATH, this::addCheckpoint);
    }

    private void addCheckpoint(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            byte[] body;
            try (InputStream in = req.content().inputStream()) {
                // One byte over the limit is enough for the parser to refuse it.
                body = in.readNBytes(AddCheckpointRequest.MAX_BODY_SIZE + 1);
            }
            String cosignature = witness.addCheckpoint(body);
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send(cosignature);
        } catch (WitnessException e) {
            refuse(res, e);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "witness state failure", e);
            text(res, Status.SERVICE_UNAVAILABLE_503, "the witness cannot read or persist its state; retry later\n");
        }
    }

    private static void refuse(ServerResponse res, WitnessException e) {
        switch (e) {
            case MalformedRequestException m -> text(res, Status.BAD_REQUEST_400, m.getMessage() + "\n");
            case UnsignedCheckpointException u -> text(res, Status.FORBIDDEN_403, u.getMessage() + "\n");
            case UnknownOriginException u -> text(res, Status.NOT_FOUND_404, u.getMessage() + "\n");
            case SizeConflictException c -> {
                res.status(Status.CONFLICT_409);
                res.header(HeaderNames.CONTENT_TYPE, "text/x.tlog.size");
                res.send(AddCheckpointRequest.formatSize(c.latestSize()));
            }
            case InconsistentCheckpointException i -> {
                // A validly signed checkpoint that does not extend what was cosigned: keep the evidence.
                LOG.log(System.Logger.Level.WARNING, "refused an inconsistent checkpoint (" + i.getMessage()
                        + "); signed note:\n" + i.note());
                text(res, Status.UNPROCESSABLE_CONTENT_422, i.getMessage() + "\n");
            }
        }
    }

    private static void text(ServerResponse res, Status status, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.send(body);
    }
}
