package dev.agentledger.issuer;

import com.google.protobuf.ByteString;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.DelegationGranted;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.JwtSvidIssued;
import dev.agentledger.proto.v1.KeyAlgorithm;
import dev.agentledger.proto.v1.KeyPublished;
import dev.agentledger.proto.v1.KeyUse;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.User;
import dev.agentledger.proto.v1.Validity;
import dev.agentledger.proto.v1.X509SvidIssued;
import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The log entries the issuer appends (agentledger.v1 {@code LogEntry}). Every field is public
 * material: certificates, public keys, token ids and SHA-256 hashes, never a token or private key.
 */
final class Entries {
    private Entries() {}

    /** The header of an entry appended by {@code authority} at {@code time}. */
    static Header header(String authority, Instant time) {
        return Header.newBuilder()
                .setTimeUnixMillis(time.toEpochMilli())
                .setCallerSpiffeId(authority)
                .setSchemaVersion(LogEntries.SCHEMA_VERSION)
                .build();
    }

    static LogEntry x509SvidIssued(Header header, X509Certificate certificate, String spiffeId, String issuerKeyId,
            String agentInstance) {
        byte[] der = encoded(certificate);
        return LogEntry.newBuilder().setHeader(header).setX509SvidIssued(X509SvidIssued.newBuilder()
                .setSpiffeId(spiffeId)
                .setCertificateDer(ByteString.copyFrom(der))
                .setCertificateSha256(ByteString.copyFrom(Digests.sha256(der)))
                .setSerial(ByteString.copyFrom(certificate.getSerialNumber().toByteArray()))
                .setValidity(validity(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()))
                .setIssuerKeyId(issuerKeyId)
                .setAgentInstance(agentInstance))
                .build();
    }

    static LogEntry jwtSvidIssued(Header header, JwtSvid svid, String issuerKeyId) {
        return LogEntry.newBuilder().setHeader(header).setJwtSvidIssued(JwtSvidIssued.newBuilder()
                .setSpiffeId(svid.spiffeId().value())
                .setTokenId(svid.tokenId())
                .setTokenSha256(ByteString.copyFrom(svid.tokenSha256()))
                .addAllAudience(svid.audience())
                .setValidity(validity(svid.issuedAt(), svid.expiresAt()))
                .setIssuerKeyId(issuerKeyId))
                .build();
    }

    /** A key's publication; {@code previous} is the key it replaces, if any. */
    static LogEntry keyPublished(Header header, SigningKey key, String trustDomain, Optional<SigningKey> previous) {
        KeyPublished.Builder event = KeyPublished.newBuilder()
                .setKeyId(key.keyId())
                .setAlgorithm(KeyAlgorithm.KEY_ALGORITHM_ECDSA_P256_SHA256)
                .setUse(switch (key.use()) {
                    case X509_SVID -> KeyUse.KEY_USE_X509_SVID;
                    case JWT_SVID -> KeyUse.KEY_USE_JWT_SVID;
                    case ACCESS_TOKEN -> KeyUse.KEY_USE_ACCESS_TOKEN;
                })
                .setPublicKeyDer(ByteString.copyFrom(key.publicKey().getEncoded()))
                .setValidity(validity(key.notBefore(), key.notAfter()))
                .setTrustDomain(trustDomain);
        previous.ifPresent(p -> event.setPreviousKeyId(p.keyId()));
        key.certificate().ifPresent(c -> event.setCaCertificateDer(ByteString.copyFrom(encoded(c))));
        return LogEntry.newBuilder().setHeader(header).setKeyPublished(event).build();
    }

    /**
     * A delegation hop was granted: {@code claims} as signed, the token by SHA-256 only.
     *
     * @param delegator the agent that sub-delegated; empty for a root delegation (the user granted it)
     */
    static LogEntry delegationGranted(Header header, DelegationClaims claims, User user, Optional<SpiffeId> delegator,
            byte[] tokenSha256, String issuerKeyId) {
        DelegationGranted.Builder event = DelegationGranted.newBuilder()
                .setDelegationId(claims.id())
                .setParentDelegationId(claims.parentId().orElse(""))
                .setChainDepth(claims.depth())
                .setActingUser(user)
                .setDelegateSpiffeId(claims.delegate().value())
                .addAllScopes(claims.scopes())
                .addAllResources(claims.resources())
                .addAudience(claims.audience())
                .setValidity(validity(claims.notBefore(), claims.expiresAt()))
                .setTokenSha256(ByteString.copyFrom(tokenSha256))
                .setIssuerKeyId(issuerKeyId);
        delegator.ifPresent(d -> event.setDelegatorSpiffeId(d.value()));
        return LogEntry.newBuilder().setHeader(header).setDelegationGranted(event).build();
    }

    /** A capability token was issued: {@code claims} as signed, the token by SHA-256 only. */
    static LogEntry capabilityTokenIssued(Header header, CapabilityClaims claims, User user, byte[] tokenSha256, String issuerKeyId,
            Optional<String> approvalId) {
        CapabilityTokenIssued.Builder event = CapabilityTokenIssued.newBuilder()
                .setTokenId(claims.id())
                .setTokenSha256(ByteString.copyFrom(tokenSha256))
                .setSubjectSpiffeId(claims.subject().value())
                .setDelegationId(claims.delegationIds().get(claims.delegationIds().size() - 1))
                .setActingUser(user)
                .setAction(claims.action())
                .setResource(claims.resource())
                .addAudience(claims.audience())
                .setValidity(validity(claims.issuedAt(), claims.expiresAt()))
                .setIssuerKeyId(issuerKeyId)
                .setSingleUse(true)
                .setConfirmationCertificateSha256(ByteString.copyFrom(Base64.getUrlDecoder().decode(claims.certificateSha256())));
        approvalId.ifPresent(event::setApprovalId);
        return LogEntry.newBuilder().setHeader(header).setCapabilityTokenIssued(event).build();
    }

    private static Validity validity(Instant notBefore, Instant notAfter) {
        return Validity.newBuilder()
                .setNotBeforeUnixMillis(notBefore.toEpochMilli())
                .setNotAfterUnixMillis(notAfter.toEpochMilli())
                .build();
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a certificate we built does not encode", e);
        }
    }
}
