package dev.agentledger.server.client;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.VerificationException;
import io.helidon.json.JsonArray;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.json.JsonValue;
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

/**
 * A client of a server's public listener (plain HTTP): discovery, checkpoint and the JSON API.
 * Nothing it returns is trusted: callers verify proofs against a checkpoint signed by a key they
 * already hold.
 */
public final class PublicLogClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    /** A client of the public listener at {@code baseUrl} ({@code http://host:port}). */
    public PublicLogClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The body of {@code GET path}. */
    public byte[] get(String path) throws IOException {
        return send("GET", path, HttpRequest.newBuilder(URI.create(baseUrl + path)));
    }

    /** The JSON object answered to {@code POST path} with the JSON {@code body}. */
    public JsonObject postJson(String path, JsonObject body) throws IOException {
        byte[] answer = send("POST", path, HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        try {
            return JsonParser.create(answer).readJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("POST " + baseUrl + path + " did not return a JSON object: " + e.getMessage(), e);
        }
    }

    private byte[] send(String method, String path, HttpRequest.Builder request) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new IOException(method + " " + baseUrl + path + " answered " + response.statusCode() + ": " + errorOf(body));
        }
        return response.body();
    }

    /** The JSON object at {@code path}. */
    public JsonObject getJson(String path) throws IOException {
        try {
            return JsonParser.create(get(path)).readJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("GET " + baseUrl + path + " did not return a JSON object: " + e.getMessage(), e);
        }
    }

    private static String errorOf(String body) {
        try {
            return JsonParser.create(body).readJsonObject().stringValue("error", body);
        } catch (RuntimeException e) {
            return body;
        }
    }

    /** Reads the {@code hashes} of an inclusion proof object. */
    public static InclusionProof inclusionProof(JsonObject proof) throws VerificationException {
        return InclusionProof.parse(proof.longValue("index", -1), proof.longValue("tree_size", -1), hashes(proof));
    }

    private static List<byte[]> hashes(JsonObject proof) throws VerificationException {
        List<byte[]> hashes = new ArrayList<>();
        for (JsonValue h : proof.arrayValue("hashes", JsonArray.empty()).values()) {
            hashes.add(base64(h.asString().value()));
        }
        return hashes;
    }

    /** Reads a consistency proof object ({@code size1}, {@code size2}, {@code hashes}). */
    public static ConsistencyProof consistencyProof(JsonObject proof) throws VerificationException {
        return ConsistencyProof.parse(proof.longValue("size1", -1), proof.longValue("size2", -1), hashes(proof));
    }

    /** Reads a base64 hash. */
    public static Hash hash(String base64) throws VerificationException {
        return Hash.parse(base64(base64));
    }

    /** Decodes standard base64, as a verification failure when malformed. */
    public static byte[] base64(String text) throws VerificationException {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("malformed base64: " + e.getMessage(), e);
        }
    }
}
