package dev.agentledger.verifierclient.svid;

import dev.agentledger.merkle.VerificationException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.Supplier;

/**
 * A trust bundle kept current from the authority's bundle endpoint: fetched again once it is older
 * than its {@code spiffe_refresh_hint} (or {@link #DEFAULT_REFRESH} without one). When a fetch
 * fails the last good bundle is kept, for at most {@code maxStale} since it was fetched; after
 * that {@link #get()} fails closed. A bundle whose {@code spiffe_sequence} is lower than the one
 * held is refused (a rollback), and the held one kept.
 *
 * <p>Thread-safe; one fetch at a time, callers in between get the held bundle.
 */
public final class BundleSource implements Supplier<SpiffeBundle> {
    /** How often to fetch when the bundle gives no refresh hint. */
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI url;
    private final String trustDomain;
    private final Duration maxStale;
    private final InstantSource clock;
    private SpiffeBundle held;
    private Instant fetchedAt;
    private String lastError = "none";

    private BundleSource(URI url, String trustDomain, Duration maxStale, InstantSource clock) {
        this.url = url;
        this.trustDomain = trustDomain;
        this.maxStale = maxStale;
        this.clock = clock;
    }

    /**
     * A source for {@code trustDomain}'s bundle at {@code url}, fetched now.
     *
     * @throws IOException if the first fetch fails: there is nothing to trust yet
     * @throws VerificationException if the first document is not a bundle
     */
    public static BundleSource open(URI url, String trustDomain, Duration maxStale, InstantSource clock)
            throws IOException, VerificationException {
        BundleSource source = new BundleSource(url, trustDomain, maxStale, clock);
        source.held = source.fetch();
        source.fetchedAt = clock.instant();
        return source;
    }

    /**
     * The current bundle, fetched again first when due.
     *
     * @throws IllegalStateException if no fetch has succeeded for longer than {@code maxStale}
     */
    @Override
    public synchronized SpiffeBundle get() {
        Instant now = clock.instant();
        if (!now.isBefore(fetchedAt.plus(held.refreshHint().orElse(DEFAULT_REFRESH)))) {
            try {
                SpiffeBundle fetched = fetch();
                if (fetched.sequence() < held.sequence()) {
                    lastError = "the endpoint served spiffe_sequence " + fetched.sequence() + ", below the held "
                            + held.sequence() + ": refused as a rollback";
                } else {
                    held = fetched;
                    fetchedAt = now;
                }
            } catch (IOException | VerificationException e) {
                lastError = e.getMessage();
            }
            if (now.isAfter(fetchedAt.plus(maxStale))) {
                throw new IllegalStateException("the trust bundle of " + trustDomain + " was last fetched at " + fetchedAt
                        + ", longer ago than " + maxStale + ": refusing to trust it (last error: " + lastError + ")");
            }
        }
        return held;
    }

    /** Why the last refresh failed, or {@code none}. */
    public synchronized String lastError() {
        return lastError;
    }

    private SpiffeBundle fetch() throws IOException, VerificationException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted fetching " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode());
        }
        return SpiffeBundle.parse(response.body(), trustDomain);
    }
}
