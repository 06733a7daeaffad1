package dev.agentledger.verifierclient.replay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;

/**
 * Single use through the authority, for a tool that runs as several replicas: {@code POST
 * /api/v1/tokens/consume} on the authority's private listener, over mutual TLS as the tool (its
 * SVID, role {@code tool}). The authority logs the consumption once; a second spend of the same
 * token, from any replica, is refused. Anything but a clear answer fails closed.
 */
public final class AuthorityConsumption implements SingleUse {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http;
    private final URI endpoint;

    /**
     * Spends tokens at the authority's private listener {@code privateUrl} ({@code https://host:port}).
     *
     * @param tls presents the tool's SVID and trusts the authority's listener
     */
    public AuthorityConsumption(String privateUrl, SSLContext tls) {
        this.http = HttpClient.newBuilder().sslContext(tls).connectTimeout(TIMEOUT).build();
        this.endpoint = URI.create(privateUrl + "/api/v1/tokens/consume");
    }

    @Override
    public void spend(String token, String tokenId, Instant expires) throws ReplayException, IOException {
        HttpResponse<String> answer;
        try {
            answer = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token.replace("\"", "") + "\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the authority recorded token " + tokenId, e);
        }
        switch (answer.statusCode()) {
            case 200 -> { }
            case 409 -> throw new ReplayException(tokenId, expires);
            default -> throw new IOException("the authority did not record token " + tokenId + " as used: "
                    + answer.statusCode() + " " + answer.body());
        }
    }
}
