package dev.agentledger.server.cli;

import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import picocli.CommandLine.Option;

/**
 * The options of the {@code approvals} commands that say where the private listener is and who
 * calls it: the data directory (bootstrap CA, and the operator's credentials by default) and an
 * approver's own certificate and key.
 */
final class ApproverConnection {
    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The server's data directory: its CA (tls/ca.pem) and, unless --cert and --key are given,"
                    + " the operator credentials (tls/operator.*).")
    Path data;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8443",
            description = "Address of the server's private (mTLS) listener. Default: ${DEFAULT-VALUE}.")
    String privateAddr;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "Your certificate chain (PEM, leaf first), e.g. an approver's spiffe://<td>/approver/<name>;"
                    + " give --key with it. Default: the operator's.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The private key (PEM) of --cert.")
    Path key;

    /**
     * Connects to the private listener as the chosen identity.
     *
     * @throws CliException if the address is malformed or the CA or credentials cannot be read
     */
    PrivateHttp open() throws CliException {
        DataDir dir = new DataDir(data);
        HostPort address = LogAddCommand.address(privateAddr);
        X509Certificate ca;
        try {
            ca = Pem.readCertificates(dir.caCertificate()).get(0);
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot read the CA certificate " + dir.caCertificate() + " (" + e.getMessage()
                    + "): give the --data directory the server was started with", e);
        }
        try {
            return PrivateHttp.connect(address, ca, credentials(dir));
        } catch (GeneralSecurityException e) {
            throw new CliException("cannot use the client credentials: " + e.getMessage(), e);
        }
    }

    private Credentials credentials(DataDir dir) throws CliException {
        if ((cert == null) != (key == null)) {
            throw new CliException("give --cert and --key together (or neither, to act as the operator)");
        }
        if (cert == null) {
            return LogAddCommand.readCredentials(dir);
        }
        try {
            return Credentials.read(key, cert);
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot read --cert " + cert + " and --key " + key + ": " + e.getMessage(), e);
        }
    }
}
