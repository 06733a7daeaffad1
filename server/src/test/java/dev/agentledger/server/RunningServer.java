package dev.agentledger.server;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.BootstrapException;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A server started in-process on free loopback ports over a fresh data directory, for one test class. */
public final class RunningServer implements AutoCloseable {
    public final Bootstrap.Prepared prepared;
    public final AgentLedgerServer server;
    final HttpClient http = HttpClient.newHttpClient();

    private RunningServer(Bootstrap.Prepared prepared, AgentLedgerServer server) {
        this.prepared = prepared;
        this.server = server;
    }

    static RunningServer start(Path dir, List<SpiffeId> appenders) throws BootstrapException {
        return start(dir, (prepared, config) -> config.withAppenders(appenders));
    }

    /**
     * A server whose loopback configuration {@code configure} completes, knowing the prepared
     * data directory (e.g. to start witnesses for its log key first).
     */
    public static RunningServer start(Path dir, java.util.function.BiFunction<Bootstrap.Prepared, ServerConfig, ServerConfig> configure)
            throws BootstrapException {
        DataDir data = new DataDir(dir);
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        ServerConfig config = configure.apply(prepared, ServerConfig.of(data)
                .withAddresses(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0)));
        return new RunningServer(prepared, AgentLedgerServer.start(config, prepared, InstantSource.system()));
    }

    /** A server started by the caller (with its own configuration), for the helpers here. */
    public static RunningServer of(Bootstrap.Prepared prepared, AgentLedgerServer server) {
        return new RunningServer(prepared, server);
    }

    public static RunningServer start(Path dir) throws BootstrapException {
        return start(dir, List.of());
    }

    NoteVerifier logVerifier() {
        return Ed25519NoteVerifier.create(prepared.logKey().verifierKey());
    }

    private Credentials operator;

    /** The operator's credentials, decrypted once (the key passphrase's KDF is slow on purpose). */
    public synchronized Credentials operator() throws IOException {
        if (operator == null) {
            try {
                operator = Credentials.read(prepared.dir().operatorKey(), prepared.dir().operatorCertificate(),
                        prepared.passphrase().value());
            } catch (java.security.UnrecoverableKeyException e) {
                throw new IOException(e);
            }
        }
        return operator;
    }

    public LedgerClient client(Optional<Credentials> credentials) throws IOException {
        return LedgerClient.connect(server.privateAddress(), prepared.caCertificate(), credentials);
    }

    public LedgerClient operatorClient() throws IOException {
        return client(Optional.of(operator()));
    }

    public HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    public String getText(String path) throws IOException, InterruptedException {
        return new String(get(path).body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The value of the sample {@code name{...labels...}} whose labels include {@code label} ("" for
     * any) in {@code metrics}, the Prometheus text of {@code /observe/metrics}; the sum if several
     * match. Fails when none does.
     */
    public static double metric(String metrics, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(metrics);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(label)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no sample " + name + " with " + label + " in:\n" + metrics);
        }
        return sum;
    }

    public long treeSize() {
        return server.ledger().checkpoint().size();
    }

    /** A valid entry: a revocation of {@code spiffeId}, header schema 1 and the request id given. */
    public static LogEntry revocation(String spiffeId, String requestId) {
        return LogEntry.newBuilder()
                .setHeader(dev.agentledger.proto.v1.Header.newBuilder().setSchemaVersion(1).setRequestId(requestId))
                .setRevoked(dev.agentledger.proto.v1.Revoked.newBuilder()
                        .setSpiffeId(spiffeId)
                        .setReason(dev.agentledger.proto.v1.RevocationReason.REVOCATION_REASON_TASK_COMPLETED))
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
