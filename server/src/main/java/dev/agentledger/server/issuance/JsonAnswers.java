package dev.agentledger.server.issuance;

import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.policy.ApprovalException;
import dev.agentledger.server.auth.ForbiddenException;
import dev.agentledger.server.grpc.UnauthenticatedException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.json.JsonObject;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one place the JSON routes (delegations, token consumption, approvals and console login on
 * the private listener; approvals on the public one for the console) turn an answer or a failure
 * into a response, by exception type: no client certificate or bearer console token 401,
 * a role that does not allow it 403, an issuance refusal as {@link IssuanceFailures} says, an
 * approval refusal 404/403/400/409, an unreadable request 400, a failed write (IOException) 500
 * with its reason, anything else 500 with no detail
 * sent and the cause logged. Every response is JSON and {@code no-store}; errors are
 * {@code {"error": "..."}}.
 */
public final class JsonAnswers {
    private static final System.Logger LOG = System.getLogger(JsonAnswers.class.getName());

    private JsonAnswers() {}

    /** Computes one answer, or fails. */
    public interface Answer {
        JsonObject get() throws Exception;
    }

    /** A request body the route cannot read. */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRequest(String message) {
            super(message);
        }
    }

    /** Sends {@code answer}'s JSON, or the error its failure maps to. */
    public static void respond(ServerResponse res, Answer answer) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        Status status;
        String message;
        try {
            res.send(answer.get().toString());
            return;
        } catch (UnauthenticatedException e) {
            status = Status.UNAUTHORIZED_401;
            message = e.getMessage();
        } catch (ForbiddenException e) {
            status = Status.FORBIDDEN_403;
            message = e.getMessage();
        } catch (ApprovalException e) {
            status = switch (e.reason()) {
                case UNKNOWN_APPROVAL -> Status.NOT_FOUND_404;
                case NOT_PERMITTED -> Status.FORBIDDEN_403;
                case COMMENT_TOO_LONG -> Status.BAD_REQUEST_400;
                case ALREADY_DECIDED, EXPIRED -> Status.CONFLICT_409;
            };
            message = e.getMessage();
        } catch (IssuanceException e) {
            status = Status.create(IssuanceFailures.httpStatus(e.reason()));
            message = e.getMessage();
        } catch (BadRequest | IllegalArgumentException | io.helidon.json.JsonException e) {
            status = Status.BAD_REQUEST_400;
            message = e.getMessage();
        } catch (java.io.IOException e) {
            LOG.log(System.Logger.Level.ERROR, "a private JSON route failed to write", e);
            status = Status.INTERNAL_SERVER_ERROR_500;
            message = e.getMessage();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "a JSON route failed", e);
            status = Status.INTERNAL_SERVER_ERROR_500;
            message = "internal error";
        }
        res.status(status).send(JsonObject.builder().set("error", message == null ? status.reasonPhrase() : message).build().toString());
    }
}
