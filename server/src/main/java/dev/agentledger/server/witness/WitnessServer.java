package dev.agentledger.server.witness;

import dev.agentledger.server.HostPort;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.verifierclient.witness.Witness;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;

/**
 * A running witness: {@code POST /add-checkpoint} on one plain HTTP listener. {@link #close()}
 * stops it.
 */
public final class WitnessServer implements AutoCloseable {
    private final WebServer webServer;
    private final HostPort address;

    private WitnessServer(WebServer webServer, HostPort address) {
        this.webServer = webServer;
        this.address = address;
    }

    /**
     * Starts listening on {@code listen} (port 0: any free port).
     *
     * @throws RuntimeException from Helidon if the address cannot be bound
     */
    public static WitnessServer start(Witness witness, HostPort listen) {
        WebServer server = WebServer.builder()
                .shutdownHook(false)
                .host(listen.host())
                .port(listen.port())
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                // Helidon refuses (413) far larger bodies before reading them; the parser refuses
                // (400) anything over its own limit.
                .maxPayloadSize(4L * AddCheckpointRequest.MAX_BODY_SIZE)
                .routing(routing -> routing.register(new WitnessService(witness)))
                .build()
                .start();
        return new WitnessServer(server, listen.withPort(server.port()));
    }

    /** The bound address. */
    public HostPort address() {
        return address;
    }

    /** The base URL, {@code http://host:port}; {@code add-checkpoint} is under it. */
    public String url() {
        return "http://" + address;
    }

    @Override
    public void close() {
        webServer.stop();
    }
}
