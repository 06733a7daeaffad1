package dev.agentledger.server.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code agentledger log add}: appends one entry over mTLS gRPC with the operator's credentials. */
@Command(name = "add", mixinStandardHelpOptions = true,
        description = {
            "Appends one LogEntry, given in protobuf JSON, to a running log over the private mTLS gRPC API,",
            "authenticating with the operator certificate in the data directory. The server sets the",
            "header's caller SPIFFE ID and time. Prints the index, leaf hash, signed checkpoint and",
            "inclusion proof after verifying them with the log's key.",
            "Example: agentledger log add --data DIR '{\"revoked\":{\"spiffe_id\":\"spiffe://agentledger.local/a\",",
            "  \"reason\":\"REVOCATION_REASON_TASK_COMPLETED\"}}'"
        })
final class LogAddCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JSON",
            description = "The entry in protobuf JSON, or - (or nothing) to read it from standard input."
                    + " A missing header.schema_version is set to the current one.")
    String json;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The server's data directory: operator credentials (tls/operator.*), CA and log key.")
    Path data;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8443",
            description = "Address of the server's private gRPC API. Default: ${DEFAULT-VALUE}.")
    String privateAddr;

    @Option(names = "--dedupe", description = "If identical bytes are already logged, return that entry instead.")
    boolean dedupe;

    @Override
    public Integer call() throws Exception {
        DataDir dir = new DataDir(data);
        LogEntry entry = parse(json == null || json.equals("-") ? readStdin() : json);
        HostPort address = address();
        Credentials operator = readCredentials(dir);
        AppendResponse response;
        try (LedgerClient client = LedgerClient.connect(address, Pem.readCertificates(dir.caCertificate()).get(0),
                Optional.of(operator))) {
            response = client.append(entry, dedupe);
        }
        VerifiedInclusion verified = verify(dir, response);
        print(spec.commandLine().getOut(), response, verified);
        return 0;
    }

    private HostPort address() throws CliException {
        return address(privateAddr);
    }

    /** The parsed {@code --private-addr}, as a usage error when malformed. */
    static HostPort address(String privateAddr) throws CliException {
        try {
            return HostPort.parse(privateAddr);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /** The operator's client credentials in {@code dir}, as a usage error when unreadable. */
    static Credentials readCredentials(DataDir dir) throws CliException {
        try {
            return dev.agentledger.server.bootstrap.Bootstrap.operator(dir);
        } catch (dev.agentledger.server.bootstrap.BootstrapException e) {
            throw new CliException(e.getMessage() + " (give the --data directory the server was started with)", e);
        }
    }

    private String readStdin() throws IOException {
        InputStream in = System.in;
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    static LogEntry parse(String text) throws CliException {
        LogEntry.Builder builder = LogEntry.newBuilder();
        try {
            JsonFormat.parser().merge(text, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new CliException("the input is not a LogEntry in protobuf JSON: " + e.getMessage(), e);
        }
        if (builder.getHeader().getSchemaVersion() == 0) {
            builder.getHeaderBuilder().setSchemaVersion(LogEntries.SCHEMA_VERSION);
        }
        return builder.build();
    }

    private static VerifiedInclusion verify(DataDir dir, AppendResponse response) throws Exception {
        VerifierKey key = VerifierKey.parse(Files.readString(dir.logVerifierKey(), StandardCharsets.UTF_8).strip());
        try {
            var p = response.getInclusionProof();
            InclusionProof proof = InclusionProof.parse(p.getIndex(), p.getTreeSize(),
                    p.getHashesList().stream().map(b -> b.toByteArray()).toList());
            if (proof.index() != response.getIndex()) {
                throw new VerificationException("proof is for index " + proof.index() + ", the entry is at " + response.getIndex());
            }
            return VerifiedInclusion.verify(response.getEntry().toByteArray(), Hash.parse(response.getLeafHash().toByteArray()),
                    response.getCheckpoint().toByteArray(), proof, Ed25519NoteVerifier.create(key));
        } catch (VerificationException e) {
            throw new CliException("the server's answer does not verify with the log key in " + dir.logVerifierKey()
                    + ": " + e.getMessage(), e);
        }
    }

    static void print(PrintWriter out, AppendResponse response, VerifiedInclusion verified) {
        out.println("index: " + verified.index() + (response.getDeduplicated() ? " (already logged)" : ""));
        Output.proven(out, verified);
        out.flush();
    }
}
