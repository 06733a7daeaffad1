package dev.agentledger.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console at {@code /ui/}: a static page that reads the public API and verifies, in the
 * browser, the checkpoint's log signature and witness cosignatures, each entry's inclusion proof
 * and each event of the live revocation feed; approvers sign in with a console JWT-SVID
 * ({@code ConsoleSvids}) sent as a bearer header. Its files are loaded once from the classpath.
 */
final class ConsoleService implements HttpService {
    /** Where the console is served. */
    static final String PREFIX = "/ui";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "merkle.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> contents;

    ConsoleService() {
        Map<String, byte[]> loaded = new java.util.HashMap<>();
        for (String name : FILES.keySet()) {
            try (InputStream in = ConsoleService.class.getResourceAsStream("/dev/agentledger/server/ui/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the console file " + name + " is missing from the jar");
                }
                loaded.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        this.contents = Map.copyOf(loaded);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> send(res, "index.html"))
                .get("/{file}", (req, res) -> send(res, req.path().pathParameters().get("file")));
    }

    private void send(ServerResponse res, String name) {
        byte[] body = contents.get(name);
        if (body == null) {
            res.status(Status.NOT_FOUND_404).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, FILES.get(name));
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("Content-Security-Policy", "default-src 'self'");
        res.send(body);
    }
}
