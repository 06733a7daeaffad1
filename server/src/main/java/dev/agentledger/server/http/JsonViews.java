package dev.agentledger.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.server.log.ProvenEntry;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.util.Base64;
import java.util.List;

/**
 * The JSON shapes of the convenience API. Hashes and raw bytes are standard base64 (as protobuf
 * JSON writes bytes); sizes and indexes are JSON numbers; checkpoints are the signed note text.
 */
final class JsonViews {
    private JsonViews() {}

    static JsonObject inclusion(InclusionProof proof) {
        return JsonObject.builder()
                .set("index", proof.index())
                .set("tree_size", proof.size())
                .setStrings("hashes", base64(proof.hashes()))
                .build();
    }

    static JsonObject consistency(ConsistencyProof proof) {
        return JsonObject.builder()
                .set("size1", proof.size1())
                .set("size2", proof.size2())
                .setStrings("hashes", base64(proof.hashes()))
                .build();
    }

    /** Where a logged credential's entry is: index, leaf hash, checkpoint and inclusion proof. */
    static JsonObject logged(dev.agentledger.issuer.LoggedCredential<?> logged) {
        return JsonObject.builder()
                .set("index", logged.index())
                .set("leaf_hash", logged.leafHash().toBase64())
                .set("checkpoint", logged.checkpointNote())
                .set("inclusion_proof", inclusion(logged.proof()))
                .build();
    }

    /** Index, leaf hash, proof and checkpoint; with the entry (raw and decoded) when {@code withEntry}. */
    static JsonObject proven(ProvenEntry proven, boolean withEntry) {
        JsonObject.Builder json = JsonObject.builder()
                .set("index", proven.index())
                .set("leaf_hash", proven.leafHash().toBase64())
                .set("proof", inclusion(proven.proof()));
        proven.checkpoint().ifPresent(c -> json.set("checkpoint", c.note()));
        if (withEntry) {
            byte[] entry = proven.entry();
            json.set("entry_base64", Base64.getEncoder().encodeToString(entry));
            json.set("entry", decoded(entry));
        }
        return json.build();
    }

    /** The entry as protobuf JSON (proto field names), or an error object if it does not parse. */
    private static JsonObject decoded(byte[] entry) {
        try {
            String text = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace()
                    .print(LogEntries.parse(entry));
            return JsonParser.create(text).readJsonObject();
        } catch (MalformedEntryException | InvalidProtocolBufferException e) {
            return JsonObject.builder().set("error", "entry does not decode: " + e.getMessage()).build();
        }
    }

    private static List<String> base64(List<Hash> hashes) {
        return hashes.stream().map(Hash::toBase64).toList();
    }
}
