package dev.agentledger.verifierclient.guard;

import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.CapabilityTokenIssued;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.verifierclient.CheckpointTracker;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.internal.JsonText;
import dev.agentledger.verifierclient.internal.RecentlyUsed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Proof that a capability token's issuance is in the log, as the caller presents it in the
 * {@value #HEADER} header: base64url (unpadded) of the JSON the public API serves at
 * {@code /api/v1/entries/<index>} ({@code index}, {@code entry_base64}, {@code checkpoint},
 * {@code proof} with {@code index}, {@code tree_size} and {@code hashes}). Checking it needs no
 * call to the authority: the entry must be the {@code CapabilityTokenIssued} of this very token
 * (its id and SHA-256), included in a checkpoint signed by the log. With a checkpoint tracker the
 * checkpoint must also be consistent with every one seen before (a fork is refused), and the
 * tracker's witness-lag rule applies: a checkpoint not yet cosigned by K witnesses is accepted on
 * the log's signature only while a cosigned one confirms it within the deadline. Without a
 * tracker, a verifier with K > 0 requires the K cosignatures on the presented checkpoint itself.
 *
 * <p>Each checkpoint note's signatures are verified once: the notes that verified (the last
 * {@value #CHECKPOINTS_HELD}, by their exact text) are remembered, so the many tokens proven
 * against the same checkpoint cost one signature check. Thread-safe.
 */
public final class LogProof {
    /** The header that carries the proof. */
    public static final String HEADER = "AgentLedger-Log-Proof";
    /** The largest proof accepted, in characters. */
    public static final int MAX_LENGTH = 64 * 1024;

    /** How many verified checkpoint notes are remembered. */
    static final int CHECKPOINTS_HELD = 64;

    private final LogVerifier verifier;
    private final Optional<CheckpointTracker> tracker;
    private final RecentlyUsed<String, VerifiedCheckpoint> opened = new RecentlyUsed<>(CHECKPOINTS_HELD);

    /** Checks proofs with {@code verifier}'s log key, and against {@code tracker}'s history when given. */
    public LogProof(LogVerifier verifier, Optional<CheckpointTracker> tracker) {
        this.verifier = verifier;
        this.tracker = tracker;
    }

    /**
     * A proven issuance: where it is in the log and the approval it cites.
     *
     * @param index the log index of the {@code CapabilityTokenIssued} entry
     * @param approvalId the human approval the issuance cites, empty if none was needed
     */
    record Proven(long index, String approvalId) {}

    /**
     * The issuance entry of {@code token}, proven by {@code header}.
     *
     * @throws VerificationException if the proof is malformed, for another token, not included, not
     *     signed by the log, or inconsistent with an earlier checkpoint
     */
    Proven verify(String header, String token, String tokenId) throws VerificationException {
        if (header.length() > MAX_LENGTH) {
            throw new VerificationException("log proof is longer than " + MAX_LENGTH + " characters");
        }
        byte[] entry;
        long index;
        InclusionProof proof;
        String note;
        try {
            // One pass of the client's own strict reader over the decoded header (no reflection, no copies of the map).
            Map<?, ?> json = Json.object(Json.parse(new String(Base64.getUrlDecoder().decode(header), StandardCharsets.UTF_8)), "the proof");
            entry = Base64.getDecoder().decode(Json.string(json, "entry_base64"));
            index = Json.integer(json, "index");
            note = Json.string(json, "checkpoint");
            Map<?, ?> p = Json.object(json.get("proof"), "proof");
            List<String> listed = Json.strings(p, "hashes");
            List<byte[]> hashes = new ArrayList<>(listed.size());
            for (String text : listed) {
                hashes.add(Base64.getDecoder().decode(text));
            }
            proof = InclusionProof.parse(Json.integer(p, "index"), Json.integer(p, "tree_size"), hashes);
        } catch (RuntimeException e) {
            throw new VerificationException("log proof is not base64url of the entry JSON: " + e.getMessage(), e);
        }
        VerifiedCheckpoint checkpoint = open(note);
        if (tracker.isEmpty()) {
            verifier.requireConfirmed(checkpoint);
        }
        verifier.verifyInclusion(Rfc6962.hashLeaf(entry), index, proof, checkpoint);
        CapabilityTokenIssued issued = requireIssuanceOf(entry, token, tokenId);
        if (tracker.isPresent()) {
            try {
                tracker.get().update(note);
            } catch (IOException e) {
                throw new VerificationException("cannot check the checkpoint against earlier ones: " + e.getMessage(), e);
            }
        }
        return new Proven(index, issued.getApprovalId());
    }

    /** The note opened by the log key, from memory when it verified before (same text, same result). */
    private VerifiedCheckpoint open(String note) throws VerificationException {
        VerifiedCheckpoint held = opened.get(note);
        if (held != null) {
            return held;
        }
        VerifiedCheckpoint checkpoint = verifier.open(note);
        opened.put(note, checkpoint);
        return checkpoint;
    }

    private static CapabilityTokenIssued requireIssuanceOf(byte[] entry, String token, String tokenId) throws VerificationException {
        CapabilityTokenIssued issued;
        try {
            LogEntry parsed = LogEntries.parse(entry);
            if (!parsed.hasCapabilityTokenIssued()) {
                throw new VerificationException("the proven entry is not a capability token issuance");
            }
            issued = parsed.getCapabilityTokenIssued();
        } catch (MalformedEntryException e) {
            throw new VerificationException("the proven entry does not parse: " + e.getMessage(), e);
        }
        if (!issued.getTokenId().equals(tokenId)
                || !MessageDigest.isEqual(issued.getTokenSha256().toByteArray(), sha256(token))) {
            throw new VerificationException("the proven entry records another token");
        }
        return issued;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Encodes the public API's entry JSON ({@code /api/v1/entries/<index>}) as the header value,
     * keeping only the members {@link #verify} reads ({@code index}, {@code entry_base64},
     * {@code checkpoint}, {@code proof}): the decoded entry and leaf hash the API also serves
     * would lengthen every call's headers and prove nothing more (the check hashes the raw entry).
     *
     * @throws IllegalArgumentException if {@code entryJson} is not such JSON
     */
    public static String header(String entryJson) {
        Map<?, ?> json = Json.object(Json.parse(entryJson), "the entry JSON");
        Map<?, ?> proof = Json.object(json.get("proof"), "proof");
        List<String> hashes = Json.strings(proof, "hashes");
        StringBuilder out = new StringBuilder(entryJson.length());
        out.append("{\"index\":").append(Json.integer(json, "index")).append(",\"entry_base64\":");
        JsonText.quote(out, Json.string(json, "entry_base64"));
        out.append(",\"checkpoint\":");
        JsonText.quote(out, Json.string(json, "checkpoint"));
        out.append(",\"proof\":{\"index\":").append(Json.integer(proof, "index"))
                .append(",\"tree_size\":").append(Json.integer(proof, "tree_size")).append(",\"hashes\":[");
        for (int i = 0; i < hashes.size(); i++) {
            JsonText.quote(out.append(i == 0 ? "" : ","), hashes.get(i));
        }
        out.append("]}}");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toString().getBytes(StandardCharsets.UTF_8));
    }
}
