package dev.agentledger.server.revocation;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.agentledger.proto.v1.AffectedIds;
import dev.agentledger.proto.v1.RevocationHeartbeat;
import dev.agentledger.proto.v1.RevocationSnapshot;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
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
    /**
     * Events remembered: more than a subscriber's queue holds, so subscribers lagging by up to a
     * full queue still share one encoding (a smaller ring thrashed under backlog: each lagging
     * subscriber re-encoded the event another had just replaced).
     */
    private static final int REMEMBERED = 4096;
    private static final JsonFormat.Printer JSON = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    /** One event's encodings: the proto event and the feed message wrapping it (shared, so its size is computed once). */
    record Encoded(dev.agentledger.proto.v1.RevocationEvent proto, WatchRevocationsResponse watch) {}

    /** A remembered event, its encodings, and its JSON once asked for. */
    private static final class Slot {
        final RevocationEvent event;
        final Encoded encoded;
        String json;

        Slot(RevocationEvent event, Encoded encoded) {
            this.event = event;
            this.encoded = encoded;
        }
    }

    private final Slot[] slots = new Slot[REMEMBERED];
    private Heartbeat lastHeartbeat;
    private WatchRevocationsResponse lastHeartbeatProto;
    private String lastHeartbeatJson;

    /** The encodings of {@code event}, made once per event object. */
    synchronized Encoded encode(RevocationEvent event) {
        return slot(event).encoded;
    }

    /** The protobuf JSON of {@code event}, made once per event object. */
    synchronized String json(RevocationEvent event) {
        Slot slot = slot(event);
        if (slot.json == null) {
            slot.json = json(slot.encoded.proto());
        }
        return slot.json;
    }

    private Slot slot(RevocationEvent event) {
        int index = (int) (event.sequence() % REMEMBERED);
        Slot slot = slots[index];
        if (slot == null || slot.event != event) {
            dev.agentledger.proto.v1.RevocationEvent proto = proto(event);
            slot = new Slot(event, new Encoded(proto, WatchRevocationsResponse.newBuilder().setEvent(proto).build()));
            slots[index] = slot;
        }
        return slot;
    }

    /** The feed message of {@code heartbeat}, made once per heartbeat object. */
    synchronized WatchRevocationsResponse watch(Heartbeat heartbeat) {
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
            RevocationHeartbeat proto = RevocationHeartbeat.newBuilder()
                    .setSequence(heartbeat.sequence())
                    .setCheckpoint(ByteString.copyFrom(heartbeat.checkpoint().noteBytes()))
                    .setTimeUnixMillis(heartbeat.time().toEpochMilli())
                    .build();
            lastHeartbeatProto = WatchRevocationsResponse.newBuilder().setHeartbeat(proto).build();
            lastHeartbeatJson = json(proto);
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
