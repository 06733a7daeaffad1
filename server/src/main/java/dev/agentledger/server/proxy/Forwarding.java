package dev.agentledger.server.proxy;

import io.helidon.http.Header;
import io.helidon.http.Headers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends an admitted call to its upstream and reads the whole answer. What goes upstream: the
 * method, the path below the prefix with its query, the body, and the caller's headers except
 * the credentials the proxy consumed ({@code Authorization}, {@code AgentLedger-*}), hop-by-hop
 * headers (RFC 9110 section 7.6.1) and the injected header; then the injected secret, and
 * {@code AgentLedger-Caller} with the verified caller's SPIFFE ID. Thread-safe.
 */
final class Forwarding {
    /** The header that tells the upstream who called (set by the proxy only). */
    static final String CALLER_HEADER = "AgentLedger-Caller";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Hop-by-hop headers, and those the HTTP client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("authorization", "connection", "keep-alive", "proxy-authorization",
            "proxy-authenticate", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "expect", "date", "from", "via", "warning", "http2-settings");

    /**
     * The upstream's answer.
     *
     * @param status its HTTP status
     * @param headers its end-to-end headers
     * @param body its body
     */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {}

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * Sends the call to {@code base} + {@code rawPathAndQuery}.
     *
     * @param secretHeader the injected header's name and value, if any
     * @throws IOException if the upstream cannot be reached or does not answer in time
     */
    Answer forward(URI base, String method, String rawPathAndQuery, Headers headers, byte[] body,
            Optional<Map.Entry<String, String>> secretHeader, String caller) throws IOException {
        String injected = secretHeader.map(h -> h.getKey().toLowerCase(Locale.ROOT)).orElse("");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stripSlash(base.toString()) + rawPathAndQuery))
                .timeout(TIMEOUT)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Header header : headers) {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.startsWith("agentledger-") && !name.equals(injected)) {
                for (String value : header.allValues()) {
                    request.header(header.name(), value);
                }
            }
        }
        secretHeader.ifPresent(h -> request.header(h.getKey(), h.getValue()));
        request.header(CALLER_HEADER, caller);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().map(), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the upstream", e);
        }
    }

    /** Whether an upstream response header is relayed to the caller. */
    static boolean relayed(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !lower.startsWith(":") && !NOT_FORWARDED.contains(lower);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Closes the HTTP client's connections. */
    void close() {
        http.close();
    }
}
