package dev.agentledger.verifierclient.monitor;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts each alert as JSON ({@link Alert#toJson()}, {@code Content-Type: application/json}) to a
 * webhook URL, with a timeout. A failed delivery (no answer in time, a status other than 2xx) is
 * reported on the given stream and dropped: the monitor goes on.
 */
public final class WebhookAlerts implements AlertSink {
    private final HttpClient http;
    private final URI url;
    private final Duration timeout;
    private final PrintStream failures;

    /**
     * Posts to {@code url}, each request limited to {@code timeout}; failures are printed to
     * {@code failures}.
     *
     * @throws IllegalArgumentException if the URL is not absolute http(s)
     */
    public WebhookAlerts(String url, Duration timeout, PrintStream failures) {
        this.url = URI.create(url);
        if (!"http".equals(this.url.getScheme()) && !"https".equals(this.url.getScheme()) || this.url.getHost() == null) {
            throw new IllegalArgumentException("webhook URL \"" + url + "\" is not an absolute http(s) URL");
        }
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.failures = failures;
    }

    @Override
    public void send(Alert alert) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alert.toJson(), StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                failures.println("monitor: webhook " + url + " answered " + response.statusCode() + " to a "
                        + alert.kind().label() + " alert");
            }
        } catch (IOException e) {
            failures.println("monitor: webhook " + url + " failed for a " + alert.kind().label() + " alert: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.println("monitor: webhook " + url + " interrupted");
        }
    }
}
