package dev.agentledger.verifierclient.guard;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link ToolGuard} as a Helidon 4 route wrapper: one line protects a route,
 * {@code rules.post("/charge", guard.protect("payments:charge", "tool:billing", this::charge))}.
 * A refused call is answered here (RFC 6750 status and {@code WWW-Authenticate}, JSON
 * {@code error} and {@code error_description}) and never reaches the handler; an admitted one
 * finds its {@link Admission} with {@link #admission(ServerRequest)}.
 */
public final class HelidonToolGuard {
    private final ToolGuard guard;

    /** Wraps routes with {@code guard}. */
    public HelidonToolGuard(ToolGuard guard) {
        this.guard = guard;
    }

    /** A handler that admits each call for {@code action} on {@code resource} before running {@code handler}. */
    public Handler protect(String action, String resource, Handler handler) {
        return (req, res) -> {
            Admission admission;
            try {
                admission = guard.admit(peerChain(req), req.headers().first(HeaderNames.AUTHORIZATION),
                        req.headers().first(HeaderNames.create(LogProof.HEADER)), action, resource);
            } catch (AccessDeniedException e) {
                refuse(res, e);
                return;
            }
            req.context().register(admission);
            handler.handle(req, res);
        };
    }

    /** The admission of the call being handled by a protected route. */
    public static Admission admission(ServerRequest req) {
        return req.context().get(Admission.class)
                .orElseThrow(() -> new IllegalStateException("this route is not protected by a HelidonToolGuard"));
    }

    /** The client certificate chain the TLS layer verified for {@code req} (leaf first), empty if none. */
    public static List<X509Certificate> peerChain(ServerRequest req) {
        List<X509Certificate> chain = new ArrayList<>();
        Optional<Certificate[]> certificates = req.remotePeer().tlsCertificates();
        for (Certificate certificate : certificates.orElse(new Certificate[0])) {
            if (certificate instanceof X509Certificate x509) {
                chain.add(x509);
            }
        }
        return chain;
    }

    private static void refuse(ServerResponse res, AccessDeniedException e) {
        res.status(Status.create(e.httpStatus()));
        String error = switch (e.reason()) {
            case INSUFFICIENT_SCOPE, NEEDS_APPROVAL -> "insufficient_scope";
            case NO_TOKEN, NO_CLIENT_CERTIFICATE -> "invalid_request";
            case UNAVAILABLE -> "temporarily_unavailable";
            default -> "invalid_token";
        };
        if (e.httpStatus() == 401 || e.httpStatus() == 403) {
            res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer error=\"" + error + "\"");
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send("{\"error\":\"" + error + "\",\"reason\":\"" + e.reason() + "\",\"error_description\":"
                + com.nimbusds.jose.util.JSONStringUtils.toJSONString(e.getMessage()) + "}");
    }
}
