package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.TlsContexts;
import dev.agentledger.server.config.PublicTls;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public listener: plain HTTP only on loopback; on another address HTTPS with a certificate from
 * the bootstrap CA naming that address, or plain HTTP only when insisted on.
 */
class PublicListenerTest {
    /** A non-loopback IPv4 address of this machine, the test is skipped (with a message) when there is none. */
    private static String outwardAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        }
        Assumptions.abort("this machine has no non-loopback IPv4 address to listen on");
        return null;
    }

    private static AgentLedgerServer start(Path dir, String host, PublicTls tls, Bootstrap.Prepared[] prepared) throws Exception {
        DataDir data = new DataDir(dir);
        prepared[0] = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = ServerConfig.of(data)
                .withAddresses(new HostPort(host, 0), new HostPort("127.0.0.1", 0))
                .withPublicTls(tls);
        return AgentLedgerServer.start(config, prepared[0], InstantSource.system());
    }

    @Test
    void offLoopbackThePublicListenerServesHttpsWithACertificateForItsAddress(@TempDir Path dir) throws Exception {
        String host = outwardAddress();
        Bootstrap.Prepared[] prepared = new Bootstrap.Prepared[1];
        try (AgentLedgerServer server = start(dir, host, PublicTls.DEFAULT, prepared)) {
            assertEquals("https://" + host + ":" + server.publicAddress().port(), server.publicUrl());
            HttpClient https = HttpClient.newBuilder()
                    .sslContext(TlsContexts.of(List.of(prepared[0].caCertificate()), Optional.empty())).build();
            HttpResponse<String> checkpoint = https.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + "/checkpoint")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, checkpoint.statusCode());
            assertTrue(checkpoint.body().startsWith(prepared[0].settings().origin() + "\n"), checkpoint.body());
            String discovery = https.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + "/.well-known/agentledger")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(discovery.contains("https://" + host), discovery);
            // Plain HTTP gets no answer on that port.
            HttpClient plain = HttpClient.newHttpClient();
            assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + server.publicAddress().port() + "/checkpoint")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void plainHttpOffLoopbackOnlyWhenInsistedOn(@TempDir Path dir) throws Exception {
        String host = outwardAddress();
        Bootstrap.Prepared[] prepared = new Bootstrap.Prepared[1];
        PublicTls insecure = new PublicTls(Optional.empty(), Optional.empty(), true, List.of());
        try (AgentLedgerServer server = start(dir, host, insecure, prepared)) {
            assertEquals("http://" + host + ":" + server.publicAddress().port(), server.publicUrl());
            HttpResponse<String> checkpoint = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.publicUrl() + "/checkpoint")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, checkpoint.statusCode());
        }
    }
}
