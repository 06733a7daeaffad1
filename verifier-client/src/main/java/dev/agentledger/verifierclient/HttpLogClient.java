package dev.agentledger.verifierclient;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.verifierclient.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Reads a log's public HTTP API with {@code java.net.http}: the checkpoint ({@code GET
 * /checkpoint}, c2sp.org/tlog-tiles) and consistency proofs ({@code GET
 * /api/v1/proof/consistency?size1=&size2=}, JSON {@code {"size1", "size2", "hashes": [base64...]}}).
 * Nothing it returns is trusted: callers verify it. Thread-safe.
 */
public final class HttpLogClient implements ProofSource {
    /** The largest response body read: 1 MiB. */
    public static final int MAX_RESPONSE_SIZE = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final URI base;

    private HttpLogClient(HttpClient http, URI base) {
        this.http = http;
        this.base = base;
    }

    /**
     * A client for the log at {@code baseUrl} (e.g. {@code http://127.0.0.1:8080}).
     *
     * @throws IllegalArgumentException if the URL is not absolute http or https
     */
    public static HttpLogClient create(String baseUrl) {
        URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("log URL \"" + baseUrl + "\" is not http(s)");
        }
        return new HttpLogClient(HttpClient.newBuilder().connectTimeout(TIMEOUT).build(), uri);
    }

    /**
     * The log's current signed checkpoint note, unverified.
     *
     * @throws IOException if the request fails or the answer is not 200
     */
    public byte[] checkpoint() throws IOException {
        return get("/checkpoint");
    }

    @Override
    public ConsistencyProof consistency(long size1, long size2) throws IOException, VerificationException {
        if (size1 <= 0 || size1 > size2) {
            throw new IllegalArgumentException("sizes " + size1 + ", " + size2 + " not 0 < size1 <= size2");
        }
        byte[] body = get("/api/v1/proof/consistency?size1=" + size1 + "&size2=" + size2);
        try {
            Map<?, ?> json = Json.object(Json.parse(new String(body, StandardCharsets.UTF_8)), "the consistency proof");
            List<byte[]> hashes = new ArrayList<>();
            for (String text : Json.strings(json, "hashes")) {
                hashes.add(Base64.getDecoder().decode(text));
            }
            return ConsistencyProof.parse(Json.integer(json, "size1"), Json.integer(json, "size2"), hashes);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("consistency proof does not parse: " + e.getMessage(), e);
        }
    }

    private byte[] get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).GET().build();
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + request.uri(), e);
        }
        byte[] body;
        try (java.io.InputStream in = response.body()) {
            body = in.readNBytes(MAX_RESPONSE_SIZE + 1);
        }
        if (body.length > MAX_RESPONSE_SIZE) {
            throw new IOException(request.uri() + " answered more than " + MAX_RESPONSE_SIZE + " bytes");
        }
        if (response.statusCode() != 200) {
            throw new IOException(request.uri() + " answered " + response.statusCode() + ": "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8));
        }
        return body;
    }
}
