package dev.agentledger.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.agentledger.proto.v1.LogEntry;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Entries written by a newer schema: this build must keep what it does not know. The "newer
 * schema" is log_entry.proto's own descriptor with fields and an event kind added, as a later
 * version of the file would add them; messages of it are written with {@link DynamicMessage}.
 */
class ForwardCompatibilityTest {
    /** A field a newer schema adds to Header, after every field this build knows. */
    private static final int HEADER_REGION = 5;
    /** A field a newer schema adds to X509SvidIssued, after every field this build knows. */
    private static final int X509_ATTESTATION_SHA256 = 8;
    /** An envelope field a newer schema adds to LogEntry, BEFORE the event cases (10 and up). */
    private static final int ENTRY_TENANT = 2;
    /** An event kind a newer schema adds. */
    private static final int EVENT_BUDGET_EXCEEDED = 60;

    private final FileDescriptor newer = newerSchema();

    @Test
    void unknownFieldsInKnownMessagesSurviveParseAndSerialize() throws Exception {
        Message written = fromCurrent(SampleEntries.entry(e -> e.setX509SvidIssued(SampleEntries.x509SvidIssued())))
                .build();
        Message header = ((Message) written.getField(field("LogEntry", "header"))).toBuilder()
                .setField(field("Header", HEADER_REGION), "eu-west")
                .build();
        Message x509 = ((Message) written.getField(field("LogEntry", "x509_svid_issued"))).toBuilder()
                .setField(field("X509SvidIssued", X509_ATTESTATION_SHA256), SampleEntries.sha256("attestation"))
                .build();
        Message newerEntry = written.toBuilder()
                .setField(field("LogEntry", "header"), header)
                .setField(field("LogEntry", "x509_svid_issued"), x509)
                .build();
        byte[] bytes = newerEntry.toByteArray();

        LogEntry parsed = LogEntries.parse(bytes);
        assertTrue(parsed.getHeader().getUnknownFields().hasField(HEADER_REGION));
        assertTrue(parsed.getX509SvidIssued().getUnknownFields().hasField(X509_ATTESTATION_SHA256));

        byte[] rewritten = LogEntries.serialize(parsed);
        assertEquals(newerEntry, DynamicMessage.parseFrom(message("LogEntry"), rewritten));
        // The new fields come after every known one, so even the bytes are unchanged.
        assertArrayEquals(bytes, rewritten);
    }

    /**
     * A new field numbered below known ones is kept, but re-serializing moves it after the known
     * fields: the bytes change. This is why the log hashes stored bytes, never a re-serialization.
     */
    @Test
    void unknownFieldBeforeKnownOnesIsKeptButMoved() throws Exception {
        Message newerEntry = fromCurrent(SampleEntries.entry(e -> e.setTokenConsumed(SampleEntries.tokenConsumed())))
                .setField(field("LogEntry", ENTRY_TENANT), "tenant-a")
                .build();
        byte[] bytes = newerEntry.toByteArray();

        LogEntry parsed = LogEntries.parse(bytes);
        assertTrue(parsed.getUnknownFields().hasField(ENTRY_TENANT));
        byte[] rewritten = LogEntries.serialize(parsed);
        assertEquals(newerEntry, DynamicMessage.parseFrom(message("LogEntry"), rewritten));
        assertFalse(Arrays.equals(bytes, rewritten), "unknown field was expected to move to the end");
    }

    /** An event kind this build does not know cannot be checked, so parse rejects it, and says why. */
    @Test
    void eventKindFromANewerSchemaIsRejectedWithAClearMessage() throws Exception {
        Descriptor budget = message("BudgetExceeded");
        Message newerEntry = fromCurrent(LogEntry.newBuilder().setHeader(SampleEntries.header()).build())
                .setField(field("LogEntry", EVENT_BUDGET_EXCEEDED),
                        DynamicMessage.newBuilder(budget).setField(budget.findFieldByNumber(1), "dlg-0008").build())
                .build();

        MalformedEntryException e = assertThrows(MalformedEntryException.class,
                () -> LogEntries.parse(newerEntry.toByteArray()));
        assertEquals("entry has no event this schema knows (unknown fields [60]: written by a newer schema?),"
                + " want exactly one known event", e.getMessage());
    }

    /** log_entry.proto as a later version might be: new fields and a new event kind. */
    private static FileDescriptor newerSchema() {
        FileDescriptorProto.Builder file = LogEntry.getDescriptor().getFile().toProto().toBuilder();
        for (DescriptorProto.Builder message : file.getMessageTypeBuilderList()) {
            switch (message.getName()) {
                case "Header" -> message.addField(scalar("region", HEADER_REGION, FieldDescriptorProto.Type.TYPE_STRING));
                case "X509SvidIssued" -> message.addField(
                        scalar("attestation_sha256", X509_ATTESTATION_SHA256, FieldDescriptorProto.Type.TYPE_BYTES));
                case "LogEntry" -> {
                    message.addField(scalar("tenant", ENTRY_TENANT, FieldDescriptorProto.Type.TYPE_STRING));
                    message.addField(FieldDescriptorProto.newBuilder()
                            .setName("budget_exceeded")
                            .setNumber(EVENT_BUDGET_EXCEEDED)
                            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                            .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
                            .setTypeName(".agentledger.v1.BudgetExceeded")
                            .setOneofIndex(0));
                }
                default -> { }
            }
        }
        file.addMessageType(DescriptorProto.newBuilder()
                .setName("BudgetExceeded")
                .addField(scalar("delegation_id", 1, FieldDescriptorProto.Type.TYPE_STRING)));
        try {
            return FileDescriptor.buildFrom(file.build(), new FileDescriptor[0]);
        } catch (DescriptorValidationException e) {
            throw new AssertionError("the newer schema does not build", e);
        }
    }

    private static FieldDescriptorProto.Builder scalar(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                .setType(type);
    }

    /** The same entry as a message of the newer schema, ready for newer fields to be set. */
    private DynamicMessage.Builder fromCurrent(LogEntry entry) throws InvalidProtocolBufferException {
        return DynamicMessage.parseFrom(message("LogEntry"), entry.toByteArray()).toBuilder();
    }

    private Descriptor message(String name) {
        return newer.findMessageTypeByName(name);
    }

    private FieldDescriptor field(String message, int number) {
        return message(message).findFieldByNumber(number);
    }

    private FieldDescriptor field(String message, String name) {
        return message(message).findFieldByName(name);
    }
}
