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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The wire forms of the feed: {@code revocation_service.proto} messages, their protobuf JSON
 * (proto field names, one line) for HTTP, and the bytes written to streams: the gRPC message bytes
 * and the Server-Sent Events text. The feed hands the same event object to every subscriber, so
 * the last encodings are kept by identity: ten thousand subscribers cost one encoding per event,
 * not ten thousand, and every stream writes the same bytes.
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

    /**
     * A remembered event, its encodings, and its other wire forms once asked for, each made once
     * under the slot's lock. Readers take no lock once a form is made: every subscriber thread asks
     * for every event, and one lock over all of it made them queue behind each other (and behind a
     * heartbeat's JSON printing), which the fan-out profile showed as lock spinning.
     */
    private static final class Slot {
        final RevocationEvent event;
        final Encoded encoded;
        volatile String json;
        volatile EncodedResponse single;
        volatile byte[] repeated;
        volatile byte[] sse;

        Slot(RevocationEvent event, Encoded encoded) {
            this.event = event;
            this.encoded = encoded;
        }
    }

    /**
     * A heartbeat's wire forms, made once per heartbeat object under a lock of their own and then
     * read without it: every watcher asks for the same heartbeat in the same second.
     */
    private record HeartbeatForms(Heartbeat heartbeat, WatchRevocationsResponse proto, EncodedResponse grpc,
            String json, byte[] sse) {}

    private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(REMEMBERED);
    private volatile HeartbeatForms lastHeartbeat;
    private final Object heartbeatLock = new Object();

    /** The encodings of {@code event}, made once per event object. */
    Encoded encode(RevocationEvent event) {
        return slot(event).encoded;
    }

    /** The protobuf JSON of {@code event}, made once per event object. */
    String json(RevocationEvent event) {
        return json(slot(event));
    }

    private static String json(Slot slot) {
        String json = slot.json;
        if (json == null) {
            synchronized (slot) {
                json = slot.json;
                if (json == null) {
                    json = json(slot.encoded.proto());
                    slot.json = json;
                }
            }
        }
        return json;
    }

    /** The gRPC message carrying {@code event} alone in {@code event} (for watchers that read one per message). */
    EncodedResponse single(RevocationEvent event) {
        Slot slot = slot(event);
        EncodedResponse single = slot.single;
        if (single == null) {
            synchronized (slot) {
                single = slot.single;
                if (single == null) {
                    single = new EncodedResponse(List.of(slot.encoded.watch().toByteArray()));
                    slot.single = single;
                }
            }
        }
        return single;
    }

    /**
     * The gRPC messages carrying {@code events}, in order, in the repeated {@code events} field: as
     * many events per message as fit in {@code maxBytes} (one at least, whatever its size). Each
     * event's field bytes are made once; a message is their concatenation.
     */
    List<EncodedResponse> several(List<RevocationEvent> events, int maxBytes) {
        List<EncodedResponse> messages = new ArrayList<>(1);
        List<byte[]> parts = new ArrayList<>(events.size());
        long size = 0;
        for (RevocationEvent event : events) {
            Slot slot = slot(event);
            byte[] repeated = slot.repeated;
            if (repeated == null) {
                synchronized (slot) {
                    repeated = slot.repeated;
                    if (repeated == null) {
                        repeated = WatchRevocationsResponse.newBuilder().addEvents(slot.encoded.proto()).build().toByteArray();
                        slot.repeated = repeated;
                    }
                }
            }
            if (!parts.isEmpty() && size + repeated.length > maxBytes) {
                messages.add(new EncodedResponse(parts));
                parts.clear();
                size = 0;
            }
            parts.add(repeated);
            size += repeated.length;
        }
        if (!parts.isEmpty()) {
            messages.add(new EncodedResponse(parts));
        }
        return messages;
    }

    /**
     * The Server-Sent Events text of {@code event} as UTF-8 (WHATWG HTML, server-sent events): its
     * sequence as id, name {@code revocation}, its JSON as data, a blank line.
     */
    byte[] sse(RevocationEvent event) {
        Slot slot = slot(event);
        byte[] sse = slot.sse;
        if (sse == null) {
            synchronized (slot) {
                sse = slot.sse;
                if (sse == null) {
                    sse = sse(Long.toString(event.sequence()), "revocation", json(slot));
                    slot.sse = sse;
                }
            }
        }
        return sse;
    }

    private Slot slot(RevocationEvent event) {
        int index = (int) (event.sequence() % REMEMBERED);
        Slot slot = slots.get(index);
        if (slot == null || slot.event != event) {
            synchronized (slots) {
                slot = slots.get(index);
                if (slot == null || slot.event != event) {
                    dev.agentledger.proto.v1.RevocationEvent proto = proto(event);
                    slot = new Slot(event, new Encoded(proto, WatchRevocationsResponse.newBuilder().setEvent(proto).build()));
                    slots.set(index, slot);
                }
            }
        }
        return slot;
    }

    /** The feed message of {@code heartbeat}, made once per heartbeat object. */
    WatchRevocationsResponse watch(Heartbeat heartbeat) {
        return remember(heartbeat).proto();
    }

    /** The gRPC message bytes of {@code heartbeat}, made once per heartbeat object. */
    EncodedResponse grpc(Heartbeat heartbeat) {
        return remember(heartbeat).grpc();
    }

    /** The JSON form of {@code heartbeat}, made once per heartbeat object. */
    String json(Heartbeat heartbeat) {
        return remember(heartbeat).json();
    }

    /** The Server-Sent Events text of {@code heartbeat}: name {@code heartbeat}, its JSON as data. */
    byte[] sse(Heartbeat heartbeat) {
        return remember(heartbeat).sse();
    }

    private HeartbeatForms remember(Heartbeat heartbeat) {
        HeartbeatForms forms = lastHeartbeat;
        if (forms != null && forms.heartbeat() == heartbeat) {
            return forms;
        }
        synchronized (heartbeatLock) {
            forms = lastHeartbeat;
            if (forms != null && forms.heartbeat() == heartbeat) {
                return forms;
            }
            RevocationHeartbeat proto = RevocationHeartbeat.newBuilder()
                    .setSequence(heartbeat.sequence())
                    .setCheckpoint(ByteString.copyFrom(heartbeat.checkpoint().noteBytes()))
                    .setTimeUnixMillis(heartbeat.time().toEpochMilli())
                    .build();
            WatchRevocationsResponse watch = WatchRevocationsResponse.newBuilder().setHeartbeat(proto).build();
            String json = json(proto);
            forms = new HeartbeatForms(heartbeat, watch, new EncodedResponse(List.of(watch.toByteArray())), json,
                    sse(null, "heartbeat", json));
            lastHeartbeat = forms;
            return forms;
        }
    }

    /**
     * One Server-Sent Event as UTF-8: {@code id:} (when given), {@code event:}, {@code data:} lines
     * and a blank line. Requires {@code data} on one line (protobuf JSON without whitespace is).
     */
    static byte[] sse(String id, String name, String data) {
        if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("SSE data of more than one line");
        }
        StringBuilder text = new StringBuilder(data.length() + 48);
        if (id != null) {
            text.append("id:").append(id).append('\n');
        }
        text.append("event:").append(name).append('\n').append("data:").append(data).append("\n\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
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
