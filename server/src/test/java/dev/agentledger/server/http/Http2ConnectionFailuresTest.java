package dev.agentledger.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.CapturedLog;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * A client that ends its HTTP/2 connection with a GOAWAY carrying an error code (RFC 9113 section
 * 6.8), as a gRPC client does when it finds the server broke the protocol, leaves a warning on the
 * server; Helidon alone logs it at DEBUG, which no one sees.
 */
class Http2ConnectionFailuresTest {
    @Test
    void aClientGoAwayWithAnErrorCodeLeavesAWarning() throws Exception {
        WebServer server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(HttpRouting.builder().get("/", (req, res) -> res.send("ok"))).build().start();
        Http2ConnectionFailures.raise();
        CapturedLog log = CapturedLog.of(Http2ConnectionFailures.class);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(frame(4, 0, new byte[0])); // SETTINGS, all defaults
            // GOAWAY: last stream 0, error code 0x3 FLOW_CONTROL_ERROR.
            out.write(frame(7, 0, ByteBuffer.allocate(8).putInt(0).putInt(3).array()));
            out.flush();
            assertTrue(log.awaitFirst(Duration.ofSeconds(30)), "no warning for the client's GOAWAY");
        } finally {
            log.close();
            server.stop();
        }
        LogRecord line = log.records().getFirst();
        assertTrue(line.getLevel() == Level.WARNING && line.getMessage().contains("HTTP/2 connection failure")
                && line.getMessage().contains("FLOW_CONTROL"), line.getLevel() + " " + line.getMessage());
    }

    /** An HTTP/2 frame (RFC 9113 section 4.1): 24-bit length, type, no flags, stream id, payload. */
    private static byte[] frame(int type, int stream, byte[] payload) {
        return ByteBuffer.allocate(9 + payload.length).put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
                .put((byte) payload.length).put((byte) type).put((byte) 0).putInt(stream).put(payload).array();
    }
}
