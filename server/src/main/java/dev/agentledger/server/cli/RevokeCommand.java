package dev.agentledger.server.cli;

import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.VerifierKey;
import dev.agentledger.proto.v1.RevocationEvent;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.User;
import dev.agentledger.server.HostPort;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.bootstrap.Pem;
import dev.agentledger.server.client.LedgerClient;
import dev.agentledger.server.client.VerifiedInclusion;
import com.google.protobuf.ByteString;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agentledger revoke}: logs a revocation over mTLS gRPC with the operator's credentials. */
@Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Revokes one target on a running server: the revocation is appended to the transparency log,",
            "numbered and pushed to every connected verifier before this command returns. Prints the",
            "revocation's sequence number, the ids it covers and its inclusion proof, verified with the",
            "log key in the data directory. Authenticates with the operator certificate in --data.",
            "",
            "Give exactly one target. With --cascade, everything derived from it is revoked too:",
            "child delegations at any depth and the capability tokens issued under them; for a SPIFFE ID,",
            "what was delegated to it; for an agent instance, what was granted to its SPIFFE IDs.",
            "",
            "Examples:",
            "  agentledger revoke --data DIR --delegation d-42 --reason agent-compromise --cascade",
            "  agentledger revoke --data DIR --spiffe-id spiffe://agentledger.local/agent/bot/1 --reason task-completed",
            "  agentledger revoke --data DIR --user 'https://idp.example#alice' --reason withdrawn --cascade \\",
            "      --effective 2026-11-20T10:00:00Z --detail 'left the company'",
            ""
        })
final class RevokeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The target: exactly one. */
    static final class TargetOptions {
        @Option(names = "--spiffe-id", paramLabel = "ID", description = "Every credential of this SPIFFE ID.")
        String spiffeId;

        @Option(names = "--serial", paramLabel = "HEX", description = "One X.509-SVID by serial number (hex; colons allowed).")
        String serial;

        @Option(names = "--token-id", paramLabel = "JTI", description = "One JWT (JWT-SVID, delegation or capability token) by jti.")
        String tokenId;

        @Option(names = "--delegation", paramLabel = "ID", description = "One delegation (with --cascade, everything under it).")
        String delegation;

        @Option(names = "--agent-instance", paramLabel = "ID", description = "Every credential of one registered agent instance.")
        String agentInstance;

        @Option(names = "--user", paramLabel = "ISSUER#SUBJECT",
                description = "Every delegation the user granted, named by the identity provider's issuer and subject.")
        String user;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Target (exactly one):%n")
    TargetOptions target;

    @Option(names = "--reason", required = true, paramLabel = "REASON",
            description = "Why: key-compromise, agent-compromise, task-completed, superseded, policy-violation or withdrawn.")
    String reason;

    @Option(names = "--cascade", description = "Also revoke everything derived from the target.")
    boolean cascade;

    @Option(names = "--effective", paramLabel = "INSTANT",
            description = "From when verifiers must refuse, ISO-8601 (e.g. 2026-11-20T10:00:00Z); may be in the past."
                    + " Default: when the revocation is logged.")
    String effective;

    @Option(names = "--detail", paramLabel = "TEXT", defaultValue = "",
            description = "Free text for humans, logged publicly: never put a secret here.")
    String detail;

    @Option(names = "--request-id", paramLabel = "ID", defaultValue = "", description = "Your id for this request, logged.")
    String requestId;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The server's data directory: operator credentials (tls/operator.*), CA and log key.")
    Path data;

    @Option(names = "--private-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8443",
            description = "Address of the server's private gRPC API. Default: ${DEFAULT-VALUE}.")
    String privateAddr;

    @Override
    public Integer call() throws Exception {
        Revoked revocation = revocation();
        DataDir dir = new DataDir(data);
        HostPort address;
        try {
            address = HostPort.parse(privateAddr);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        RevocationEvent event;
        try (LedgerClient client = LedgerClient.connect(address, Pem.readCertificates(dir.caCertificate()).get(0),
                Optional.of(LogAddCommand.readCredentials(dir)))) {
            event = RevocationServiceGrpc.newBlockingStub(client.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .revoke(RevokeRequest.newBuilder().setRevocation(revocation).setRequestId(requestId).build())
                    .getEvent();
        }
        print(spec.commandLine().getOut(), event, verify(dir, event));
        return 0;
    }

    /** The Revoked message the options describe. */
    Revoked revocation() throws CliException {
        Revoked.Builder revoked = Revoked.newBuilder()
                .setReason(reason(reason))
                .setReasonDetail(detail)
                .setCascade(cascade);
        if (effective != null) {
            try {
                revoked.setEffectiveUnixMillis(Instant.parse(effective).toEpochMilli());
            } catch (DateTimeParseException e) {
                throw new CliException("--effective \"" + effective + "\" is not an ISO-8601 instant like 2026-11-20T10:00:00Z");
            }
        }
        if (target.spiffeId != null) {
            revoked.setSpiffeId(target.spiffeId);
        } else if (target.serial != null) {
            revoked.setSerial(serial(target.serial));
        } else if (target.tokenId != null) {
            revoked.setTokenId(target.tokenId);
        } else if (target.delegation != null) {
            revoked.setDelegationId(target.delegation);
        } else if (target.agentInstance != null) {
            revoked.setAgentInstance(target.agentInstance);
        } else {
            int hash = target.user.indexOf('#');
            if (hash <= 0 || hash == target.user.length() - 1) {
                throw new CliException("--user \"" + target.user + "\" is not ISSUER#SUBJECT (e.g. https://idp.example#alice)");
            }
            revoked.setUser(User.newBuilder().setIssuer(target.user.substring(0, hash)).setSubject(target.user.substring(hash + 1)));
        }
        return revoked.build();
    }

    static RevocationReason reason(String text) throws CliException {
        String name = "REVOCATION_REASON_" + text.strip().toUpperCase(Locale.ROOT).replace('-', '_')
                .replaceFirst("^REVOCATION_REASON_", "");
        try {
            RevocationReason reason = RevocationReason.valueOf(name);
            if (reason != RevocationReason.REVOCATION_REASON_UNSPECIFIED) {
                return reason;
            }
        } catch (IllegalArgumentException e) {
            // Reported below.
        }
        throw new CliException("--reason \"" + text + "\" is not one of key-compromise, agent-compromise, task-completed,"
                + " superseded, policy-violation, withdrawn");
    }

    private static ByteString serial(String hex) throws CliException {
        try {
            return ByteString.copyFrom(new BigInteger(hex.replace(":", ""), 16).toByteArray());
        } catch (NumberFormatException e) {
            throw new CliException("--serial \"" + hex + "\" is not hexadecimal");
        }
    }

    private static VerifiedInclusion verify(DataDir dir, RevocationEvent event) throws Exception {
        VerifierKey key = VerifierKey.parse(Files.readString(dir.logVerifierKey(), StandardCharsets.UTF_8).strip());
        try {
            var p = event.getInclusionProof();
            InclusionProof proof = InclusionProof.parse(p.getIndex(), p.getTreeSize(),
                    p.getHashesList().stream().map(ByteString::toByteArray).toList());
            if (proof.index() != event.getLogIndex()) {
                throw new VerificationException("proof is for index " + proof.index() + ", the entry is at " + event.getLogIndex());
            }
            byte[] entry = event.getEntry().toByteArray();
            return VerifiedInclusion.verify(entry, Rfc6962.hashLeaf(entry), event.getCheckpoint().toByteArray(), proof,
                    Ed25519NoteVerifier.create(key));
        } catch (VerificationException e) {
            throw new CliException("the server's answer does not verify with the log key in " + dir.logVerifierKey()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void print(PrintWriter out, RevocationEvent event, VerifiedInclusion verified) {
        out.println("revoked: sequence " + event.getSequence() + ", log index " + event.getLogIndex());
        var affected = event.getAffected();
        out.println("covers: " + affected.getDelegationIdsCount() + " delegations, " + affected.getTokenIdsCount()
                + " tokens, " + affected.getSerialsCount() + " certificates, " + affected.getSpiffeIdsCount()
                + " SPIFFE IDs, " + affected.getAgentInstancesCount() + " agent instances"
                + (affected.getTruncated() ? " (more than listed: the list was cut)" : ""));
        affected.getSpiffeIdsList().forEach(id -> out.println("  spiffe_id " + id));
        affected.getAgentInstancesList().forEach(id -> out.println("  agent_instance " + id));
        affected.getSerialsList().forEach(s -> out.println("  serial " + new BigInteger(s.toByteArray()).toString(16)));
        affected.getDelegationIdsList().forEach(id -> out.println("  delegation_id " + id));
        affected.getTokenIdsList().forEach(id -> out.println("  token_id " + id));
        Output.proven(out, verified);
        out.flush();
    }
}
