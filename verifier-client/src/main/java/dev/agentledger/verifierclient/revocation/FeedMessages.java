package dev.agentledger.verifierclient.revocation;

import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.internal.RecentlyUsed;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and verifies the feed's messages, protobuf JSON of {@code revocation_service.proto}
 * (64-bit numbers as strings or numbers, bytes as base64). An event counts only if its checkpoint
 * is signed by the log's key for its origin, its proof puts its exact entry bytes at its log index
 * in that checkpoint, and the entry is a {@code Revoked}; the ids it revokes are the entry's target
 * plus the server's expansion of what derives from it (the cascade is the server's word: a verifier
 * that checks every id of a credential, its delegation chain included, does not depend on it).
 */
final class FeedMessages {
    /** A verified revocation: its sequence, the checkpoint it is proven in, and the ids it revokes by key. */
    record VerifiedRevocation(long sequence, VerifiedCheckpoint checkpoint, Map<String, RevokedIds.Hit> hits) {}

    /** A verified heartbeat. */
    record VerifiedHeartbeat(long sequence, VerifiedCheckpoint checkpoint) {}

    /** A verified snapshot: the sequence to watch from and its revocations. */
    record VerifiedSnapshot(long sequence, VerifiedCheckpoint checkpoint, List<VerifiedRevocation> revocations) {}

    /** How many verified checkpoint notes are remembered (the feed moves from one to the next). */
    private static final int CHECKPOINTS_HELD = 8;

    private final LogVerifier verifier;
    /**
     * Checkpoint notes whose signature verified, by their base64 text: every event of a batch and
     * every heartbeat until the next checkpoint carries the same note, so its signature is checked
     * once, not once per message. The same text is the same bytes, so the answer is the same.
     */
    private final RecentlyUsed<String, VerifiedCheckpoint> opened = new RecentlyUsed<>(CHECKPOINTS_HELD);

    FeedMessages(LogVerifier verifier) {
        this.verifier = verifier;
    }

    VerifiedRevocation event(String json) throws RevocationFeedException {
        return event(object(parse(json), "event"));
    }

    VerifiedHeartbeat heartbeat(String json) throws RevocationFeedException {
        Map<String, Object> map = object(parse(json), "heartbeat");
        return new VerifiedHeartbeat(number(map, "sequence", 0), checkpoint(map));
    }

    VerifiedSnapshot snapshot(String json) throws RevocationFeedException {
        Map<String, Object> map = object(parse(json), "snapshot");
        VerifiedCheckpoint checkpoint = checkpoint(map);
        List<VerifiedRevocation> revocations = new ArrayList<>();
        for (Object item : list(map, "revocations")) {
            revocations.add(event(object(item, "revocation")));
        }
        return new VerifiedSnapshot(number(map, "sequence", 0), checkpoint, revocations);
    }

    private VerifiedRevocation event(Map<String, Object> map) throws RevocationFeedException {
        long sequence = number(map, "sequence", -1);
        long logIndex = number(map, "log_index", 0);
        byte[] entry = bytes(map, "entry");
        VerifiedCheckpoint checkpoint = checkpoint(map);
        Map<String, Object> proofJson = object(map.get("inclusion_proof"), "inclusion_proof");
        List<byte[]> hashes = new ArrayList<>();
        for (Object hash : list(proofJson, "hashes")) {
            hashes.add(base64(hash, "inclusion_proof.hashes"));
        }
        try {
            InclusionProof proof = InclusionProof.parse(number(proofJson, "index", 0), number(proofJson, "tree_size", 0), hashes);
            verifier.verifyInclusion(Rfc6962.hashLeaf(entry), logIndex, proof, checkpoint);
        } catch (VerificationException e) {
            throw new RevocationFeedException("revocation " + sequence + " is not proven in its checkpoint: " + e.getMessage(), e);
        }
        LogEntry logged;
        try {
            logged = LogEntries.parse(entry);
        } catch (MalformedEntryException e) {
            throw new RevocationFeedException("revocation " + sequence + " carries a malformed entry: " + e.getMessage(), e);
        }
        if (logged.getEventCase() != LogEntry.EventCase.REVOKED) {
            throw new RevocationFeedException("revocation " + sequence + " carries a " + LogEntries.kind(logged) + " entry");
        }
        if (sequence < 1) {
            throw new RevocationFeedException("revocation has sequence " + sequence + ", want >= 1");
        }
        return new VerifiedRevocation(sequence, checkpoint, hits(sequence, logged.getRevoked(), map.get("affected")));
    }

    /** The entry's target and the server's expansion, each with the revocation's reason and effective time. */
    private static Map<String, RevokedIds.Hit> hits(long sequence, Revoked revoked, Object affected)
            throws RevocationFeedException {
        Instant effective = Instant.ofEpochMilli(revoked.getEffectiveUnixMillis());
        Map<String, String> ids = new LinkedHashMap<>();
        switch (revoked.getTargetCase()) {
            case SPIFFE_ID -> ids.put(RevokedIds.spiffeKey(revoked.getSpiffeId()), "spiffe_id " + revoked.getSpiffeId());
            case SERIAL -> {
                String hex = serialHex(revoked.getSerial().toByteArray());
                ids.put(RevokedIds.serialKey(hex), "serial " + hex);
            }
            case TOKEN_ID -> ids.put(RevokedIds.jtiKey(revoked.getTokenId()), "token_id " + revoked.getTokenId());
            case DELEGATION_ID -> ids.put(RevokedIds.jtiKey(revoked.getDelegationId()), "delegation_id " + revoked.getDelegationId());
            case AGENT_INSTANCE -> ids.put(RevokedIds.instanceKey(revoked.getAgentInstance()),
                    "agent_instance " + revoked.getAgentInstance());
            case USER -> {
                String user = revoked.getUser().getIssuer() + "#" + revoked.getUser().getSubject();
                ids.put(RevokedIds.userKey(user), "user " + user);
            }
            case TARGET_NOT_SET -> { }
        }
        if (affected != null) {
            Map<String, Object> map = object(affected, "affected");
            for (Object id : list(map, "spiffe_ids")) {
                ids.putIfAbsent(RevokedIds.spiffeKey(text(id)), "spiffe_id " + id);
            }
            for (Object serial : list(map, "serials")) {
                String hex = serialHex(base64(serial, "affected.serials"));
                ids.putIfAbsent(RevokedIds.serialKey(hex), "serial " + hex);
            }
            for (Object id : list(map, "token_ids")) {
                ids.putIfAbsent(RevokedIds.jtiKey(text(id)), "token_id " + id);
            }
            for (Object id : list(map, "delegation_ids")) {
                ids.putIfAbsent(RevokedIds.jtiKey(text(id)), "delegation_id " + id);
            }
            for (Object id : list(map, "agent_instances")) {
                ids.putIfAbsent(RevokedIds.instanceKey(text(id)), "agent_instance " + id);
            }
        }
        String reason = revoked.getReason().name();
        Map<String, RevokedIds.Hit> hits = new LinkedHashMap<>();
        ids.forEach((key, id) -> hits.put(key, new RevokedIds.Hit(id, sequence, reason, revoked.getReasonDetail(), effective)));
        return hits;
    }

    /** DER INTEGER content octets as lower-case hex without leading zeros (as the log's lookups write serials). */
    private static String serialHex(byte[] der) throws RevocationFeedException {
        if (der.length == 0) {
            throw new RevocationFeedException("a serial is empty");
        }
        return new BigInteger(der).toString(16);
    }

    private VerifiedCheckpoint checkpoint(Map<String, Object> map) throws RevocationFeedException {
        if (map.get("checkpoint") instanceof String text) {
            VerifiedCheckpoint known = opened.get(text);
            if (known != null) {
                return known;
            }
        }
        try {
            VerifiedCheckpoint checkpoint = verifier.open(bytes(map, "checkpoint"));
            if (map.get("checkpoint") instanceof String text) {
                opened.put(text, checkpoint);
            }
            return checkpoint;
        } catch (VerificationException e) {
            throw new RevocationFeedException("checkpoint does not verify: " + e.getMessage(), e);
        }
    }

    private static Object parse(String json) throws RevocationFeedException {
        try {
            return Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new RevocationFeedException("malformed JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String what) throws RevocationFeedException {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new RevocationFeedException(what + " is not a JSON object");
    }

    private static List<?> list(Map<String, Object> map, String name) throws RevocationFeedException {
        Object value = map.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list;
        }
        throw new RevocationFeedException(name + " is not a JSON array");
    }

    /** A protobuf JSON 64-bit number: a string of digits or a JSON integer; absent means {@code absent}. */
    private static long number(Map<String, Object> map, String name, long absent) throws RevocationFeedException {
        Object value = map.get(name);
        if (value == null) {
            return absent;
        }
        try {
            long number = value instanceof Long l ? l : Long.parseLong(text(value));
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new RevocationFeedException(name + " is \"" + value + "\", want a number 0.." + Long.MAX_VALUE);
        }
    }

    private static byte[] bytes(Map<String, Object> map, String name) throws RevocationFeedException {
        Object value = map.get(name);
        if (value == null) {
            throw new RevocationFeedException(name + " is missing");
        }
        return base64(value, name);
    }

    private static byte[] base64(Object value, String name) throws RevocationFeedException {
        try {
            return Base64.getDecoder().decode(text(value));
        } catch (IllegalArgumentException e) {
            throw new RevocationFeedException(name + " is not base64: " + e.getMessage());
        }
    }

    private static String text(Object value) throws RevocationFeedException {
        if (value instanceof String s) {
            return s;
        }
        throw new RevocationFeedException("\"" + value + "\" is not a JSON string");
    }
}
