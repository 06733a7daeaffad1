package dev.agentledger.issuer;

import com.google.protobuf.ByteString;
import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.ledger.Appended;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.TokenConsumed;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * The central single-use check for tools that run as several replicas (a local journal cannot
 * tell them apart): a tool presents a capability token it is about to accept, and the authority
 * records it as consumed in the log, once.
 *
 * <p>Security guarantees: a token is consumed at most once, also across restarts and concurrent
 * calls (the {@code TokenConsumed} entry is durable before the answer; a lock per token id
 * serializes the check and the append). Only a token the authority issued and logged
 * ({@code CapabilityTokenIssued} with this id and SHA-256) can be consumed, only by a tool it names
 * as audience, and only before it expires. The token itself is never logged.
 *
 * <p>Thread-safe.
 */
public final class Consumptions {
    private static final int LOCK_STRIPES = 64;
    private static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private final Issuer issuer;
    private final Ledger ledger;
    private final Object[] locks = new Object[LOCK_STRIPES];

    /** Consumptions of the tokens {@code issuer} logged in {@code ledger}. */
    public Consumptions(Issuer issuer, Ledger ledger) {
        this.issuer = issuer;
        this.ledger = ledger;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Consumes {@code token} for {@code consumer}, logging {@code TokenConsumed}.
     *
     * @return the token id, with the proof of its consumption
     * @throws IssuanceException {@code INVALID_SUBJECT_TOKEN} (not a token this authority logged),
     *     {@code NOT_PERMITTED} (the consumer is not its audience), {@code TOKEN_EXPIRED},
     *     {@code TOKEN_USED} (consumed before), {@code NOT_LOGGED}
     */
    public LoggedCredential<String> consume(SpiffeId consumer, String token) throws IssuanceException {
        String tokenId = tokenId(token);
        byte[] sha256 = Digests.sha256(token.getBytes(StandardCharsets.US_ASCII));
        String authority = issuer.config().authorityId().value();
        synchronized (locks[Math.floorMod(tokenId.hashCode(), LOCK_STRIPES)]) {
            CapabilityTokenIssued issued = null;
            for (TokenEntries.Indexed found : TokenEntries.about(ledger, tokenId, authority)) {
                LogEntry entry = found.entry();
                if (entry.hasCapabilityTokenIssued() && entry.getCapabilityTokenIssued().getTokenId().equals(tokenId)
                        && MessageDigest.isEqual(entry.getCapabilityTokenIssued().getTokenSha256().toByteArray(), sha256)) {
                    issued = entry.getCapabilityTokenIssued();
                } else if (entry.hasTokenConsumed() && entry.getTokenConsumed().getTokenId().equals(tokenId)) {
                    throw new IssuanceException(Reason.TOKEN_USED, "token " + tokenId + " was already used (log index "
                            + found.index() + ")");
                }
            }
            if (issued == null) {
                throw new IssuanceException(Reason.INVALID_SUBJECT_TOKEN, "token " + tokenId + " is not a capability token this authority logged");
            }
            if (!issued.getAudienceList().contains(consumer.value())) {
                throw new IssuanceException(Reason.NOT_PERMITTED, consumer + " is not an audience of token " + tokenId);
            }
            Instant now = Issuer.now(issuer.config());
            if (!now.isBefore(Instant.ofEpochMilli(issued.getValidity().getNotAfterUnixMillis()))) {
                throw new IssuanceException(Reason.TOKEN_EXPIRED, "token " + tokenId + " has expired");
            }
            Appended appended = issuer.append(LogEntry.newBuilder().setHeader(issuer.header(now))
                    .setTokenConsumed(TokenConsumed.newBuilder()
                            .setTokenId(tokenId)
                            .setTokenSha256(ByteString.copyFrom(sha256))
                            .setConsumerSpiffeId(consumer.value())
                            .setPresenterSpiffeId(issued.getSubjectSpiffeId())
                            .setAction(issued.getAction())
                            .setResource(issued.getResource()))
                    .build());
            return LoggedCredential.of(tokenId, appended);
        }
    }

    /** The {@code jti} of a compact JWS, read without verifying it (the log decides whether it is ours). */
    private static String tokenId(String token) throws IssuanceException {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            throw new IssuanceException(Reason.INVALID_SUBJECT_TOKEN, "token is missing or longer than " + MAX_TOKEN_LENGTH);
        }
        String[] parts = token.split("\\.", -1);
        try {
            Map<String, Object> claims = com.nimbusds.jose.util.JSONObjectUtils.parse(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            if (parts.length == 3 && claims.get("jti") instanceof String jti && !jti.isEmpty()) {
                return jti;
            }
        } catch (java.text.ParseException | RuntimeException e) {
            // Falls through to the refusal below.
        }
        throw new IssuanceException(Reason.INVALID_SUBJECT_TOKEN, "not a JWT with a jti");
    }
}
