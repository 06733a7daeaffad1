package dev.agentledger.server.http;

import dev.agentledger.ledger.StorageException;
import dev.agentledger.server.log.InvalidRequestException;
import dev.agentledger.server.log.NotFoundException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place the public API turns exceptions into HTTP status, by type: a malformed request is
 * 400, something the log does not have (yet) 404, Helidon's own (no such route, bad request) keep
 * their status, a storage failure is 503, anything else 500 with no
 * detail sent and the cause logged. Bodies are JSON {@code {"error": "..."}}; none is cached.
 */
final class HttpErrors {
    private static final System.Logger LOG = System.getLogger(HttpErrors.class.getName());

    private HttpErrors() {}

    /** Installs the mapping on {@code routing}. */
    static void register(HttpRouting.Builder routing) {
        routing.error(InvalidRequestException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400, e.getMessage()))
                .error(IllegalArgumentException.class, (req, res, e) -> send(res, Status.BAD_REQUEST_400, e.getMessage()))
                .error(dev.agentledger.issuer.IssuanceException.class, (req, res, e) -> send(res,
                        Status.create(dev.agentledger.server.issuance.IssuanceFailures.httpStatus(e.reason())), e.getMessage()))
                .error(NotFoundException.class, (req, res, e) -> send(res, Status.NOT_FOUND_404, e.getMessage()))
                .error(HttpException.class, (req, res, e) -> send(res, e.status(), e.getMessage()))
                .error(StorageException.class, (req, res, e) -> {
                    LOG.log(System.Logger.Level.ERROR, "storage failure serving " + req.path().rawPath(), e);
                    send(res, Status.SERVICE_UNAVAILABLE_503, "the log cannot be read now; retry later");
                })
                .error(Exception.class, (req, res, e) -> {
                    LOG.log(System.Logger.Level.ERROR, "unexpected failure serving " + req.path().rawPath(), e);
                    send(res, Status.INTERNAL_SERVER_ERROR_500, "internal error");
                });
    }

    private static void send(ServerResponse res, Status status, String message) {
        if (res.isSent()) {
            return;
        }
        res.status(status);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(JsonObject.builder().set("error", message == null ? status.reasonPhrase() : message).build().toString());
    }
}
