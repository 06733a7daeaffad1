package dev.agentledger.server.proxy;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientConfig;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * {@code AgentLedger-Caller} with the verified caller's SPIFFE ID.
 *
 * <p>The call is sent and its answer read on the calling (virtual) thread over a kept-alive
 * HTTP/1.1 connection from this forwarder's own pool: no hand-off to a selector or worker thread
 * per call. The answer's body is relayed as the upstream sent it (no content decoding, no
 * redirects followed). An {@code https} upstream's certificate is checked against the JVM's trust
 * store, or against the certificates configured for that upstream, and its host name against the
 * URL's (RFC 9110 section 4.3.4). Thread-safe.
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

    private final Http1Client http = client(Optional.empty());
    /** Per upstream base URL trusted through its own certificates, the client that trusts them. */
    private final Map<URI, Http1Client> privatelyTrusted = new HashMap<>();

    /**
     * A forwarder that trusts the JVM's trust store for {@code https} upstreams, and for the base
     * URLs in {@code trust} only the certificates given.
     */
    Forwarding(Map<URI, List<X509Certificate>> trust) {
        trust.forEach((base, certificates) -> privatelyTrusted.put(base, client(Optional.of(certificates))));
    }

    private static Http1Client client(Optional<List<X509Certificate>> trust) {
        Http1ClientConfig.Builder builder = Http1Client.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(TIMEOUT)
                .followRedirects(false)
                .shareConnectionCache(false)
                .servicesDiscoverServices(false)
                .contentEncoding(ContentEncodingContext.builder().contentEncodingsDiscoverServices(false).build());
        trust.ifPresent(certificates -> builder.tls(Tls.builder().trust(certificates).build()));
        return builder.build();
    }

    /**
     * Sends the call to {@code base} + {@code rawPathAndQuery} (sent as is, not encoded again).
     *
     * @param secretHeader the injected header's name and value, if any
     * @throws IOException if the upstream cannot be reached or does not answer in time
     */
    Answer forward(URI base, String method, String rawPathAndQuery, Headers headers, byte[] body,
            Optional<Map.Entry<String, String>> secretHeader, String caller) throws IOException {
        String injected = secretHeader.map(h -> h.getKey().toLowerCase(Locale.ROOT)).orElse("");
        Http1ClientRequest request = privatelyTrusted.getOrDefault(base, http).method(Method.create(method))
                .uri(URI.create(stripSlash(base.toString()) + rawPathAndQuery))
                .skipUriEncoding(true);
        for (Header header : headers) {
            String name = header.name().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name) && !name.startsWith("agentledger-") && !name.equals(injected)) {
                request.header(header);
            }
        }
        secretHeader.ifPresent(h -> request.header(HeaderNames.create(h.getKey()), h.getValue()));
        request.header(HeaderNames.create(CALLER_HEADER), caller);
        try (HttpClientResponse response = body.length == 0 ? request.request() : request.submit(body)) {
            byte[] answer = response.inputStream().readAllBytes();
            Map<String, List<String>> answered = new LinkedHashMap<>();
            for (Header header : response.headers()) {
                answered.put(header.name(), header.allValues());
            }
            return new Answer(response.status().code(), answered, answer);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            // The client reports refused connections, timeouts and malformed answers unchecked.
            throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
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

    /** Closes the HTTP clients' connections. */
    void close() {
        http.closeResource();
        privatelyTrusted.values().forEach(Http1Client::closeResource);
    }
}
