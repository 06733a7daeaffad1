package dev.agentledger.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.UnknownFieldSet;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class LogEntriesTest {

    static Stream<Arguments> samples() {
        return SampleEntries.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleSetsEveryField(String row, LogEntry entry) {
        List<String> unset = new ArrayList<>();
        collectUnset(entry, entry.getDescriptorForType().getName(), unset);
        assertEquals(List.of(), unset, row + ": fields left at their default");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void roundTripKeepsEveryField(String row, LogEntry entry) throws MalformedEntryException {
        byte[] bytes = LogEntries.serialize(entry);
        LogEntry parsed = LogEntries.parse(bytes);
        assertEquals(entry, parsed);
        assertArrayEquals(bytes, LogEntries.serialize(parsed));
        assertEquals(row.split("/")[0], LogEntries.kind(parsed));
    }

    /** Together the rows set every alternative of every oneof reachable from LogEntry. */
    @Test
    void samplesCoverEveryOneofAlternative() {
        Set<String> want = new TreeSet<>();
        collectOneofAlternatives(LogEntry.getDescriptor(), new HashSet<>(), want);
        Set<String> got = new TreeSet<>();
        SampleEntries.all().values().forEach(entry -> collectSetAlternatives(entry, got));
        assertEquals(want, got);
    }

    @ParameterizedTest
    @EnumSource(LogEntry.EventCase.class)
    void kindIsTheOneofFieldName(LogEntry.EventCase eventCase) {
        LogEntry.Builder builder = LogEntry.newBuilder();
        String want = "none";
        if (eventCase != LogEntry.EventCase.EVENT_NOT_SET) {
            FieldDescriptor field = LogEntry.getDescriptor().findFieldByNumber(eventCase.getNumber());
            builder.setField(field, builder.newBuilderForField(field).build());
            want = field.getName();
        }
        assertEquals(want, LogEntries.kind(builder.build()));
    }

    /**
     * Map entries inserted in different orders: equal messages, different plain wire bytes, equal
     * deterministic bytes. The plain-bytes check shows the test would catch a lost determinism.
     */
    @Test
    void serializationIsDeterministicWhateverTheInsertionOrder() {
        LogEntry ab = decisionWithContext("a", "b", "c");
        LogEntry cba = decisionWithContext("c", "b", "a");
        assertEquals(ab, cba);
        assertFalse(Arrays.equals(ab.toByteArray(), cba.toByteArray()),
                "plain serialization follows insertion order; without it this test proves nothing");
        assertArrayEquals(LogEntries.serialize(ab), LogEntries.serialize(cba));
    }

    /** Scalar fields set in opposite orders serialize identically (field-number order). */
    @Test
    void serializationIgnoresSetterOrder() {
        LogEntry forward = SampleEntries.entry(e -> e.setX509SvidIssued(SampleEntries.x509SvidIssued()));
        var x509 = SampleEntries.x509SvidIssued();
        LogEntry backward = LogEntry.newBuilder()
                .setX509SvidIssued(x509.toBuilder().clear()
                        .setAgentInstance(x509.getAgentInstance())
                        .setIssuerKeyId(x509.getIssuerKeyId())
                        .setValidity(x509.getValidity())
                        .setSerial(x509.getSerial())
                        .setCertificateSha256(x509.getCertificateSha256())
                        .setCertificateDer(x509.getCertificateDer())
                        .setSpiffeId(x509.getSpiffeId()))
                .setHeader(SampleEntries.header())
                .build();
        assertArrayEquals(LogEntries.serialize(forward), LogEntries.serialize(backward));
    }

    /** One row per kind of bad input: the bytes and a fragment the error message must contain. */
    static Stream<Arguments> malformed() {
        byte[] valid = LogEntries.serialize(SampleEntries.entry(e -> e.setX509SvidIssued(SampleEntries.x509SvidIssued())));
        return Stream.of(
                row("empty", () -> new byte[0], "entry is empty"),
                row("garbage", () -> new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00}, "not a LogEntry"),
                row("truncated by one byte", () -> Arrays.copyOf(valid, valid.length - 1), "not a LogEntry"),
                row("truncated to half", () -> Arrays.copyOf(valid, valid.length / 2), "not a LogEntry"),
                row("length prefix beyond the end", () -> new byte[] {0x0A, 0x7F, 0x08, 0x01}, "not a LogEntry"),
                row("oversize", () -> new byte[LogEntries.MAX_ENTRY_BYTES + 1], "65536 bytes, want at most 65535"),
                row("no event", () -> LogEntry.newBuilder().setHeader(SampleEntries.header()).build().toByteArray(),
                        "no event, want exactly one"),
                row("no header", () -> LogEntry.newBuilder()
                        .setRevoked(SampleEntries.revoked().setTokenId("cap-1")).build().toByteArray(),
                        "no header"),
                row("header as a varint (wrong wire type)", () -> concat(new byte[] {0x08, 0x01},
                        LogEntry.newBuilder().setRevoked(SampleEntries.revoked().setTokenId("cap-1"))
                                .build().toByteArray()),
                        "no header"),
                row("schema version 0", () -> SampleEntries.entry(e -> e
                        .setHeader(SampleEntries.header().toBuilder().setSchemaVersion(0))
                        .setTokenConsumed(SampleEntries.tokenConsumed())).toByteArray(),
                        "schema_version 0"),
                // Header{caller_spiffe_id: C3 28}: 0xC3 starts a 2-byte sequence, 0x28 cannot continue it.
                row("invalid UTF-8 in a string", () -> new byte[] {0x0A, 0x04, 0x12, 0x02, (byte) 0xC3, 0x28},
                        "not a LogEntry"),
                row("event kind from a newer schema", () -> LogEntry.newBuilder()
                        .setHeader(SampleEntries.header())
                        .setUnknownFields(UnknownFieldSet.newBuilder()
                                .addField(60, UnknownFieldSet.Field.newBuilder()
                                        .addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                                .build())
                        .build().toByteArray(),
                        "unknown fields [60]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void parseRejects(String name, Supplier<byte[]> bytes, String wantMessage) {
        MalformedEntryException e = assertThrows(MalformedEntryException.class, () -> LogEntries.parse(bytes.get()));
        assertTrue(e.getMessage().contains(wantMessage), () -> "message: " + e.getMessage() + ", want: " + wantMessage);
    }

    @Test
    void largestEntryParsesAndOneMoreByteDoesNot() throws MalformedEntryException {
        LogEntry largest = policyOfSerializedSize(LogEntries.MAX_ENTRY_BYTES);
        assertEquals(largest, LogEntries.parse(LogEntries.serialize(largest)));

        LogEntry tooLarge = policyOfSerializedSize(LogEntries.MAX_ENTRY_BYTES + 1);
        MalformedEntryException e = assertThrows(MalformedEntryException.class, () -> LogEntries.check(tooLarge));
        assertEquals("entry is 65536 bytes serialized, want at most 65535", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogEntries.serialize(tooLarge));
        assertThrows(MalformedEntryException.class, () -> LogEntries.parse(tooLarge.toByteArray()));
    }

    @Test
    void serializeRejectsAnInvalidEntryAsACallerBug() {
        LogEntry noEvent = LogEntry.newBuilder().setHeader(SampleEntries.header()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogEntries.serialize(noEvent));
        assertEquals("entry has no event, want exactly one", e.getMessage());
    }

    /** A decision value added by a newer schema is kept as a number and written back unchanged. */
    @Test
    void unknownEnumValueSurvivesRoundTrip() throws MalformedEntryException {
        LogEntry entry = SampleEntries.entry(e -> e.setPolicyDecision(
                SampleEntries.policyDecision().toBuilder().setDecisionValue(42)));
        byte[] bytes = LogEntries.serialize(entry);
        PolicyDecision parsed = LogEntries.parse(bytes).getPolicyDecision();
        assertEquals(Decision.UNRECOGNIZED, parsed.getDecision());
        assertEquals(42, parsed.getDecisionValue());
        assertArrayEquals(bytes, LogEntries.serialize(LogEntries.parse(bytes)));
    }

    private static LogEntry decisionWithContext(String... keys) {
        AuthorizationRequest.Builder request = SampleEntries.authorizationRequest().toBuilder().clearContext();
        for (String key : keys) {
            request.putContext(key, "value of " + key);
        }
        return SampleEntries.entry(e -> e.setPolicyDecision(
                SampleEntries.policyDecision().toBuilder().setRequest(request)));
    }

    /** A PolicyPublished entry padded with policy text to exactly {@code size} serialized bytes. */
    private static LogEntry policyOfSerializedSize(int size) {
        LogEntry entry = SampleEntries.entry(e -> e.setPolicyPublished(SampleEntries.policyPublished()));
        String text = entry.getPolicyPublished().getPolicyText();
        // Each pass fixes the length difference; varint lengths settle after one or two passes.
        for (int pass = 0; pass < 4 && entry.getSerializedSize() != size; pass++) {
            int missing = size - entry.getSerializedSize();
            text = text + "/".repeat(Math.max(0, missing));
            if (missing < 0) {
                text = text.substring(0, text.length() + missing);
            }
            String padded = text;
            entry = SampleEntries.entry(e -> e.setPolicyPublished(
                    SampleEntries.policyPublished().toBuilder().setPolicyText(padded)));
        }
        assertEquals(size, entry.getSerializedSize());
        return entry;
    }

    private static Arguments row(String name, Supplier<byte[]> bytes, String wantMessage) {
        return Arguments.of(name, bytes, wantMessage);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Adds the path of every field of {@code message} (recursively) left at its default. */
    private static void collectUnset(MessageOrBuilder message, String path, List<String> unset) {
        Descriptor type = message.getDescriptorForType();
        for (OneofDescriptor oneof : type.getRealOneofs()) {
            FieldDescriptor set = message.getOneofFieldDescriptor(oneof);
            if (set == null) {
                unset.add(path + "." + oneof.getName());
            } else if (set.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectUnset((MessageOrBuilder) message.getField(set), path + "." + set.getName(), unset);
            }
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getRealContainingOneof() != null) {
                continue;
            }
            String fieldPath = path + "." + field.getName();
            if (field.isRepeated()) {
                if (message.getRepeatedFieldCount(field) == 0) {
                    unset.add(fieldPath);
                } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
                    collectUnset((MessageOrBuilder) message.getRepeatedField(field, 0), fieldPath, unset);
                }
            } else if (!message.hasField(field)) {
                unset.add(fieldPath);
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectUnset((MessageOrBuilder) message.getField(field), fieldPath, unset);
            }
        }
    }

    /** Adds {@code Message.field} for every oneof alternative in the schema reachable from {@code type}. */
    private static void collectOneofAlternatives(Descriptor type, Set<String> seen, Set<String> out) {
        if (!seen.add(type.getFullName())) {
            return;
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getRealContainingOneof() != null) {
                out.add(type.getName() + "." + field.getName());
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                collectOneofAlternatives(field.getMessageType(), seen, out);
            }
        }
    }

    /** Adds {@code Message.field} for every oneof alternative set in {@code message}, recursively. */
    private static void collectSetAlternatives(MessageOrBuilder message, Set<String> out) {
        message.getAllFields().forEach((field, value) -> {
            if (field.getRealContainingOneof() != null) {
                out.add(message.getDescriptorForType().getName() + "." + field.getName());
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (field.isRepeated()) {
                    ((List<?>) value).forEach(v -> collectSetAlternatives((MessageOrBuilder) v, out));
                } else {
                    collectSetAlternatives((MessageOrBuilder) value, out);
                }
            }
        });
    }
}
