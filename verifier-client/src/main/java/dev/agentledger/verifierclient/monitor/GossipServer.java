package dev.agentledger.verifierclient.monitor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@link Gossip#PATH} over plain HTTP with the JDK's {@code com.sun.net.httpserver}: {@code
 * GET} answers this monitor's latest note; {@code POST} checks the posted note with {@link
 * Gossip#receive} and answers this monitor's note (200, or 409 on a split view; 204 with none yet;
 * 422 if the posted note is not a checkpoint of the log; 413 if it is larger than {@link
 * Gossip#MAX_NOTE}). The notes are public, so there is no authentication.
 */
public final class GossipServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private GossipServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving {@code gossip} on {@code address} (port 0 picks a free port).
     *
     * @throws IOException if the address cannot be bound
     */
    public static GossipServer start(Gossip gossip, InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "agentledger-gossip");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(Gossip.PATH, exchange -> {
            try (exchange) {
                handle(gossip, exchange);
            }
        });
        server.start();
        return new GossipServer(server, executor);
    }

    private static void handle(Gossip gossip, HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(Gossip.PATH)) {
            send(exchange, 404, "not found\n");
            return;
        }
        Optional<String> own = gossip.ownNote();
        switch (exchange.getRequestMethod()) {
            case "GET" -> send(exchange, own.isPresent() ? 200 : 404, own.orElse("no checkpoint yet\n"));
            case "POST" -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(Gossip.MAX_NOTE + 1);
                }
                if (body.length > Gossip.MAX_NOTE) {
                    send(exchange, 413, "note larger than " + Gossip.MAX_NOTE + " bytes\n");
                    return;
                }
                GossipOutcome outcome = gossip.receive(body);
                own = gossip.ownNote();
                if (outcome.status() == GossipOutcome.Status.REJECTED) {
                    send(exchange, 422, outcome.detail() + "\n");
                } else if (own.isEmpty()) {
                    send(exchange, 204, "");
                } else {
                    send(exchange, outcome.status() == GossipOutcome.Status.SPLIT_VIEW ? 409 : 200, own.get());
                }
            }
            default -> {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                send(exchange, 405, "use GET or POST\n");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (status != 204 && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URL peers use, {@code http://host:port/}. */
    public String url() {
        InetSocketAddress a = address();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/";
    }

    /** Stops serving, waiting at most a second for exchanges in progress. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
