package dev.agentledger.server.cli;

import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.TlsContexts;
import io.helidon.json.JsonException;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The JSON API of the server's private listener over mutual TLS, for the command line: trusts
 * only the bootstrap CA, presents the given credentials, and turns every failure into a
 * {@link CliException} that says what to check.
 */
final class PrivateHttp implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final HostPort address;
    private final String base;

    private PrivateHttp(HttpClient client, HostPort address) {
        this.client = client;
        this.address = address;
        String host = address.connectHost();
        this.base = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.port();
    }

    /**
     * A client of the private listener at {@code address}, trusting {@code ca}, presenting {@code credentials}.
     *
     * @throws GeneralSecurityException if the key or certificates cannot be loaded
     */
    static PrivateHttp connect(HostPort address, X509Certificate ca, Credentials credentials) throws GeneralSecurityException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TlsContexts.of(List.of(ca), Optional.of(credentials)))
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        return new PrivateHttp(client, address);
    }

    /**
     * {@code GET path}, answered with a JSON object.
     *
     * @throws CliException if the server cannot be reached or refuses (its message is included)
     */
    JsonObject get(String path) throws CliException {
        return send(request(path).GET().build());
    }

    /**
     * {@code POST path} with the JSON {@code body}, answered with a JSON object.
     *
     * @throws CliException if the server cannot be reached or refuses (its message is included)
     */
    JsonObject post(String path, JsonObject body) throws CliException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    }

    private JsonObject send(HttpRequest request) throws CliException {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while calling " + request.uri(), e);
        } catch (IOException e) {
            throw unreachable(request.uri(), e);
        }
        JsonObject body;
        try {
            body = JsonParser.create(response.body()).readJsonObject();
        } catch (JsonException e) {
            throw new CliException(request.method() + " " + request.uri().getPath() + " answered " + response.statusCode()
                    + " with a body that is not a JSON object: is " + address + " the private listener (--private-addr)?", e);
        }
        if (response.statusCode() != 200) {
            throw new CliException("the server refused " + request.method() + " " + request.uri().getPath() + " ("
                    + response.statusCode() + "): " + body.stringValue("error", "no reason given"));
        }
        return body;
    }

    /** Closes the HTTP client and its connections. */
    @Override
    public void close() {
        client.close();
    }

    /** Why {@code uri} could not be called, as the check that would fix it. */
    private CliException unreachable(URI uri, IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
            return new CliException("cannot connect to " + address + " (" + why + "): is the server running?"
                    + " Give its private listener with --private-addr", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new CliException("no answer from " + uri + " within " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        }
        if (e instanceof SSLException || e.getCause() instanceof SSLException) {
            return new CliException("the TLS handshake with " + address + " failed (" + why + "): is --data the"
                    + " directory of the server at --private-addr, and are --cert/--key issued by its CA?", e);
        }
        return new CliException("calling " + uri + " failed: " + why, e);
    }
}
