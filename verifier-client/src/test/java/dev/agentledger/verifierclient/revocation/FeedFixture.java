package dev.agentledger.verifierclient.revocation;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.verifierclient.LogVerifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An in-memory log that writes the feed's messages by hand, in the protobuf JSON the server sends
 * (64-bit numbers as strings, bytes as base64), so the cache is tested against the format rather
 * than against the server's code.
 */
final class FeedFixture {
    static final String ORIGIN = "feed.test/log";

    final SignerKey key;
    final List<byte[]> entries = new ArrayList<>();
    private final List<Hash> leaves = new ArrayList<>();

    FeedFixture(SignerKey key) {
        this.key = key;
    }

    FeedFixture() {
        this(SignerKey.generate(ORIGIN, SignatureType.ED25519));
    }

    LogVerifier verifier() {
        return LogVerifier.create(ORIGIN, key.verifierKey(), List.of(), 0);
    }

    static Revoked.Builder revoked(RevocationReason reason, long effective) {
        return Revoked.newBuilder().setReason(reason).setEffectiveUnixMillis(effective).setRequestedBy("spiffe://t/operator");
    }

    /** Appends an entry; returns its index. */
    long append(byte[] entry) {
        entries.add(entry);
        leaves.add(Rfc6962.hashLeaf(entry));
        return entries.size() - 1;
    }

    long appendRevoked(Revoked.Builder revoked) {
        return append(LogEntry.newBuilder().setHeader(Header.newBuilder().setSchemaVersion(1)).setRevoked(revoked)
                .build().toByteArray());
    }

    String note() {
        Checkpoint checkpoint = new Checkpoint(ORIGIN, leaves.size(), Proofs.root(nodes(), leaves.size()));
        return Notes.sign(checkpoint.format(), Ed25519NoteSigner.create(key));
    }

    /** A {@code revocation} message for the entry at {@code index}, proven in the current checkpoint. */
    String event(long sequence, long index, String affectedJson) {
        return event(sequence, index, entries.get((int) index), affectedJson);
    }

    /** The same with other entry bytes than the logged ones (a forgery). */
    String event(long sequence, long index, byte[] entry, String affectedJson) {
        InclusionProof proof = Proofs.inclusion(nodes(), index, leaves.size());
        String hashes = proof.hashes().stream().map(h -> "\"" + h.toBase64() + "\"").collect(Collectors.joining(","));
        return "{\"sequence\":\"" + sequence + "\",\"log_index\":\"" + index + "\",\"entry\":\"" + base64(entry)
                + "\",\"affected\":" + affectedJson + ",\"inclusion_proof\":{\"index\":\"" + index + "\",\"tree_size\":\""
                + leaves.size() + "\",\"hashes\":[" + hashes + "]},\"checkpoint\":\"" + base64(note()) + "\"}";
    }

    String heartbeat(long sequence) {
        return "{\"sequence\":\"" + sequence + "\",\"checkpoint\":\"" + base64(note()) + "\",\"time_unix_millis\":\"1\"}";
    }

    static String base64(String text) {
        return base64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private NodeSource nodes() {
        return (level, index) -> root((int) (index << level), (int) ((index + 1) << level));
    }

    /** Root of {@code leaves[from, to)}, RFC 9162 section 2.1.1, from the definition. */
    private Hash root(int from, int to) {
        if (to - from == 1) {
            return leaves.get(from);
        }
        int k = Integer.highestOneBit(to - from - 1);
        return Rfc6962.hashChildren(root(from, from + k), root(from + k, to));
    }
}
