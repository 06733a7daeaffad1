package dev.agentledger.verifierclient.monitor;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Reads a log's tlog-tiles API over HTTP with {@code java.net.http}: {@code GET <base>/<path>}. A
 * 404 is a {@link FileNotFoundException}; any other status but 200 an {@link IOException} with the
 * start of the body. Bodies are capped at {@link #MAX_BODY} bytes (the largest entry bundle: 256
 * entries of at most 65,535 bytes, each with a 2-byte length). Thread-safe.
 */
public final class HttpTileFetcher implements TileFetcher {
    /** The largest body read: a full bundle of maximal entries, 256 * (2 + 65535) bytes. */
    public static final int MAX_BODY = 256 * (2 + 0xFFFF);

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    private HttpTileFetcher(HttpClient http, URI base, Duration timeout) {
        this.http = http;
        this.base = base;
        this.timeout = timeout;
    }

    /**
     * A fetcher for the log whose API is at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}),
     * each request limited to {@code timeout}.
     *
     * @throws IllegalArgumentException if the URL is not absolute http or https
     */
    public static HttpTileFetcher create(String baseUrl, Duration timeout) {
        URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("log URL \"" + baseUrl + "\" is not an absolute http(s) URL");
        }
        return new HttpTileFetcher(HttpClient.newBuilder().connectTimeout(timeout).build(), uri, timeout);
    }

    @Override
    public byte[] fetch(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + request.uri(), e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new IOException(request.uri() + " answered more than " + MAX_BODY + " bytes");
        }
        if (response.statusCode() == 404) {
            throw new FileNotFoundException(request.uri() + " answered 404");
        }
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + ": "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip());
        }
        return body;
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
