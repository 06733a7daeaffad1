package dev.agentledger.server.attacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.agentledger.proto.v1.GetCheckpointRequest;
import dev.agentledger.proto.v1.LedgerServiceGrpc;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.server.RunningServer;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.server.config.Connections;
import dev.agentledger.server.http.SlowClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and stalled clients lose their connection once the request timeout has passed, on the
 * public listener, on the private (mTLS) listener and on its gRPC (HTTP/2) path, while normal
 * clients, kept-alive connections and long-lived streams go on. The only time asserted is that
 * the server closed a connection within the configured timeout plus a generous margin (the
 * machine may be loaded).
 */
class SlowClientsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofSeconds(30);
    /** How long one read waits before the slow client sends its next byte. */
    private static final int PAUSE_MILLIS = 250;
    private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;
    private static RunningServer server;

    @BeforeAll
    static void start() throws Exception {
        server = RunningServer.start(dir, (prepared, config) -> config.withTuning(config.tuning()
                .withConnections(new Connections(TIMEOUT, Connections.DEFAULT_IDLE_TIMEOUT, Connections.DEFAULT_MAX_PER_LISTENER))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Socket publicSocket() throws IOException {
        return new Socket("127.0.0.1", server.server.publicAddress().port());
    }

    private static Socket privateSocket() throws IOException {
        return new Socket("127.0.0.1", server.server.privateAddress().port());
    }

    /** A TLS connection to the private listener as the operator, handshake done, offering {@code alpn}. */
    private static SSLSocket operatorTls(String... alpn) throws Exception {
        SSLSocket socket = (SSLSocket) TlsContexts.of(List.of(server.prepared.caCertificate()), Optional.of(server.operator()))
                .getSocketFactory().createSocket("127.0.0.1", server.server.privateAddress().port());
        if (alpn.length > 0) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setApplicationProtocols(alpn);
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        return socket;
    }

    /** An HTTP/1.1 request head that never ends: one more header line after another. */
    private static byte[] endlessHead(String method, String path) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i < 200; i++) {
            head.append("X-Slow-").append(i).append(": 1\r\n");
        }
        return head.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Sends {@code opening} at once, then {@code trickle} one byte per pause (never all of it),
     * reading whatever the server sends, until the server closes the connection; fails if it is
     * still open after the timeout plus the margin.
     */
    private static void assertClosedWhileTrickling(Socket socket, byte[] opening, byte[] trickle) throws IOException {
        try (socket) {
            long deadline = System.nanoTime() + TIMEOUT.plus(MARGIN).toNanos();
            socket.setSoTimeout(PAUSE_MILLIS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            try {
                out.write(opening);
                out.flush();
            } catch (IOException e) {
                return; // closed already
            }
            byte[] buffer = new byte[4096];
            for (int sent = 0; System.nanoTime() < deadline; ) {
                try {
                    if (in.read(buffer) < 0) {
                        return; // the server closed it
                    }
                } catch (SocketTimeoutException e) {
                    // Still open: the next byte.
                } catch (IOException e) {
                    return; // reset or TLS close: closed
                }
                if (sent < trickle.length - 1) {
                    try {
                        out.write(trickle[sent++]);
                        out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            }
            fail("the connection was still open " + TIMEOUT.plus(MARGIN) + " after it opened");
        }
    }

    /** Every connection the watch closes is counted in {@code agentledger_connections_closed_slow_total}. */
    @Test
    void closedConnectionsAreCountedInTheMetrics() throws Exception {
        long before = SlowClients.closedInProcess();
        assertClosedWhileTrickling(publicSocket(), new byte[0], new byte[0]);
        Pattern sample = Pattern.compile("(?m)^agentledger_connections_closed_slow_total(\\{[^}]*\\})? ([0-9.eE+-]+)$");
        long deadline = System.nanoTime() + MARGIN.toNanos();
        double counted;
        do { // the count follows the close by a moment
            String metrics = new String(server.get("/observe/metrics").body(), StandardCharsets.UTF_8);
            Matcher m = sample.matcher(metrics);
            assertTrue(m.find(), "no agentledger_connections_closed_slow_total in:\n" + metrics);
            counted = Double.parseDouble(m.group(2));
        } while (counted < before + 1 && System.nanoTime() < deadline && sleep());
        assertTrue(counted >= before + 1, "closed before " + before + ", counted now " + counted);
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(PAUSE_MILLIS);
        return true;
    }

    @Test
    void aSlowlorisOnThePublicListenerIsDisconnected() throws Exception {
        assertClosedWhileTrickling(publicSocket(), new byte[0], endlessHead("GET", "/checkpoint"));
    }

    @Test
    void aClientThatSendsNothingIsDisconnectedOnEitherListener() throws Exception {
        assertClosedWhileTrickling(publicSocket(), new byte[0], new byte[0]);
        assertClosedWhileTrickling(privateSocket(), new byte[0], new byte[0]);
    }

    @Test
    void aStalledTlsHandshakeIsDropped() throws Exception {
        // The first bytes of a TLS record holding a ClientHello, and then nothing more.
        assertClosedWhileTrickling(privateSocket(), new byte[] {0x16, 0x03, 0x01}, new byte[0]);
    }

    @Test
    void aSlowlorisOnThePrivateListenerIsDisconnectedAfterItsHandshake() throws Exception {
        assertClosedWhileTrickling(operatorTls("http/1.1"), new byte[0], endlessHead("GET", "/api/v1/approvals"));
    }

    @Test
    void aBodyThatNeverFinishesIsDisconnected() throws Exception {
        byte[] head = ("POST /api/v1/tokens/consume HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4096\r\n\r\n{\"token\":\"").getBytes(StandardCharsets.US_ASCII);
        assertClosedWhileTrickling(operatorTls("http/1.1"), head, "x".repeat(4096).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aSlowGrpcClientIsDisconnected() throws Exception {
        // HTTP/2 as gRPC speaks it (ALPN h2): the preface, then a HEADERS frame announcing 64 bytes that trickle in.
        byte[] settings = {0, 0, 0, 0x4, 0, 0, 0, 0, 0};
        byte[] headersFrame = new byte[9 + 64];
        headersFrame[2] = 64;
        headersFrame[3] = 0x1; // HEADERS
        headersFrame[4] = 0x4; // END_HEADERS
        headersFrame[8] = 1; // stream 1
        ByteArrayOutputStream opening = new ByteArrayOutputStream();
        opening.write(HTTP2_PREFACE);
        opening.write(settings);
        assertClosedWhileTrickling(operatorTls("h2"), opening.toByteArray(), headersFrame);
    }

    /**
     * While slow clients hang on both listeners, normal clients are served; a kept-alive HTTP/1
     * connection and a gRPC revocation stream that delivered their request stay open past the
     * request timeout.
     */
    @Test
    void normalClientsKeepWorkingWhileSlowOnesHang() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try (LedgerClient operator = server.operatorClient(); Socket keptAlive = publicSocket()) {
            for (int i = 0; i < 8; i++) {
                slow.add(publicSocket());
                slow.add(privateSocket());
            }
            Iterator<WatchRevocationsResponse> stream = RevocationServiceGrpc.newBlockingStub(operator.channel())
                    .withDeadlineAfter(120, TimeUnit.SECONDS).watchRevocations(WatchRevocationsRequest.getDefaultInstance());
            stream.next();
            assertEquals(200, keptAliveGet(keptAlive));
            assertEquals(200, server.get("/checkpoint").statusCode());
            LedgerServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getCheckpoint(GetCheckpointRequest.getDefaultInstance());

            Thread.sleep(TIMEOUT.multipliedBy(2).toMillis()); // past the request timeout of every connection above

            assertEquals(200, keptAliveGet(keptAlive), "a kept-alive connection that delivered its request stays open");
            for (int i = 0; i < 3; i++) {
                stream.next(); // heartbeats keep arriving on the stream opened before
            }
            assertEquals(200, server.get("/checkpoint").statusCode());
            LedgerServiceGrpc.newBlockingStub(operator.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getCheckpoint(GetCheckpointRequest.getDefaultInstance());
            for (Socket s : slow) {
                assertClosedWhileTrickling(s, new byte[0], new byte[0]);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /** One GET /checkpoint on {@code socket}, kept alive; the status code. */
    private static int keptAliveGet(Socket socket) throws IOException {
        socket.setSoTimeout((int) MARGIN.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write("GET /checkpoint HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        assertTrue(length > 0, head);
        assertEquals(length, in.readNBytes(length).length, "the whole body");
        return Integer.parseInt(head.split(" ", 3)[1]);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                fail("the server closed a kept-alive connection: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
