package dev.agentledger.server.revocation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.agentledger.proto.v1.AffectedIds;
import dev.agentledger.proto.v1.RevocationHeartbeat;
import dev.agentledger.proto.v1.RevocationSnapshot;
import dev.agentledger.revocation.Heartbeat;
import dev.agentledger.revocation.RevocationEvent;
import dev.agentledger.revocation.Snapshot;
import dev.agentledger.revocation.Target;
import dev.agentledger.server.grpc.ProtoProofs;

/**
 * The wire forms of the feed: {@code revocation_service.proto} messages, and their protobuf JSON
 * (proto field names, one line) for HTTP. The feed hands the same event object to every
 * subscriber, so the last encodings are kept by identity: ten thousand subscribers cost one
 * encoding per event, not ten thousand.
 */
final class RevocationMessages {
    private static final int REMEMBERED = 256;
    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    /** One event's encodings. */
    record Encoded(dev.agentledger.proto.v1.RevocationEvent proto, String json) {}

    private final RevocationEvent[] events = new RevocationEvent[REMEMBERED];
    private final Encoded[] encodings = new Encoded[REMEMBERED];
    private Heartbeat lastHeartbeat;
    private RevocationHeartbeat lastHeartbeatProto;
    private String lastHeartbeatJson;

    /** The encodings of {@code event}, made once per event object. */
    synchronized Encoded encode(RevocationEvent event) {
        int slot = (int) (event.sequence() % REMEMBERED);
        if (events[slot] != event) {
            dev.agentledger.proto.v1.RevocationEvent proto = proto(event);
            encodings[slot] = new Encoded(proto, json(proto));
            events[slot] = event;
        }
        return encodings[slot];
    }

    /** The proto form of {@code heartbeat}, made once per heartbeat object. */
    synchronized RevocationHeartbeat proto(Heartbeat heartbeat) {
        remember(heartbeat);
        return lastHeartbeatProto;
    }

    /** The JSON form of {@code heartbeat}, made once per heartbeat object. */
    synchronized String json(Heartbeat heartbeat) {
        remember(heartbeat);
        return lastHeartbeatJson;
    }

    private void remember(Heartbeat heartbeat) {
        if (heartbeat != lastHeartbeat) {
            lastHeartbeatProto = RevocationHeartbeat.newBuilder()
                    .setSequence(heartbeat.sequence())
                    .setCheckpoint(ByteString.copyFrom(heartbeat.checkpoint().noteBytes()))
                    .setTimeUnixMillis(heartbeat.time().toEpochMilli())
                    .build();
            lastHeartbeatJson = json(lastHeartbeatProto);
            lastHeartbeat = heartbeat;
        }
    }

    /** The snapshot as one protobuf JSON document. */
    String json(Snapshot snapshot) {
        RevocationSnapshot.Builder proto = RevocationSnapshot.newBuilder()
                .setSequence(snapshot.sequence())
                .setCheckpoint(ByteString.copyFrom(snapshot.checkpoint().noteBytes()));
        snapshot.revocations().forEach(e -> proto.addRevocations(proto(e)));
        return json(proto);
    }

    static dev.agentledger.proto.v1.RevocationEvent proto(RevocationEvent event) {
        AffectedIds.Builder affected = AffectedIds.newBuilder()
                .addAllSpiffeIds(event.affected().spiffeIds())
                .addAllTokenIds(event.affected().tokenIds())
                .addAllDelegationIds(event.affected().delegationIds())
                .addAllAgentInstances(event.affected().agentInstances())
                .setTruncated(event.affected().truncated());
        event.affected().serials().forEach(hex -> affected.addSerials(Target.serialBytes(hex)));
        return dev.agentledger.proto.v1.RevocationEvent.newBuilder()
                .setSequence(event.sequence())
                .setLogIndex(event.logIndex())
                .setEntry(event.entry())
                .setRevoked(event.revoked())
                .setAffected(affected)
                .setInclusionProof(ProtoProofs.inclusion(event.proof()))
                .setCheckpoint(ByteString.copyFrom(event.checkpoint().noteBytes()))
                .build();
    }

    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a message of our own schema does not print as JSON", e);
        }
    }
}
