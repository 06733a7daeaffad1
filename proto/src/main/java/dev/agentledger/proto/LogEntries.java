package dev.agentledger.proto;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.agentledger.proto.v1.LogEntry;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns untrusted bytes into a checked {@link LogEntry}, and a {@code LogEntry} into the
 * deterministic bytes that become a leaf of the log.
 *
 * <p>A valid entry has a header with a non-zero schema version, exactly one event case this schema
 * knows, and at most {@link #MAX_ENTRY_BYTES} serialized bytes. Unknown fields (from a newer
 * schema) inside a known event or the header are kept, so they survive a parse and serialize.
 *
 * <p>Security guarantees: {@link #parse} never lets a protobuf runtime exception escape; every
 * failure is a {@link MalformedEntryException}, and nothing larger than {@link #MAX_ENTRY_BYTES}
 * is handed to the protobuf parser. Deterministic serialization gives equal bytes for equal
 * messages within one build of this module; it is not a canonical form across protobuf versions or
 * languages, and re-serializing an entry that carries unknown fields can reorder them. So the log
 * hashes the exact bytes it stores and serves, never a re-serialization of a parsed entry.
 */
public final class LogEntries {
    /**
     * The largest serialized entry: C2SP tlog-tiles entry bundles prefix each entry with a 2-byte
     * big-endian length, so 65535 bytes is the most one entry can be.
     */
    public static final int MAX_ENTRY_BYTES = 0xFFFF;

    /** The schema version this build writes into {@code Header.schema_version}. */
    public static final int SCHEMA_VERSION = 1;

    private LogEntries() {}

    /**
     * Parses and checks entry bytes from an untrusted source.
     *
     * @throws MalformedEntryException if {@code bytes} is empty, longer than {@link
     *     #MAX_ENTRY_BYTES}, not a {@code LogEntry} in protobuf wire format (including truncated
     *     input and invalid UTF-8 in strings), or fails {@link #check}
     */
    public static LogEntry parse(byte[] bytes) throws MalformedEntryException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new MalformedEntryException("entry is empty, want 1 to " + MAX_ENTRY_BYTES + " bytes");
        }
        if (bytes.length > MAX_ENTRY_BYTES) {
            throw new MalformedEntryException(
                    "entry is " + bytes.length + " bytes, want at most " + MAX_ENTRY_BYTES);
        }
        LogEntry entry;
        try {
            entry = LogEntry.parser().parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedEntryException("entry is not a LogEntry: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The runtime documents only InvalidProtocolBufferException; anything else is still
            // a rejection of untrusted bytes, not a bug of ours.
            throw new MalformedEntryException("entry is not a LogEntry: " + e, e);
        }
        checkContent(entry);
        return entry;
    }

    /**
     * Checks an entry received as a message (for example in a gRPC {@code AppendRequest}): header
     * present with a non-zero schema version, exactly one known event case, and at most {@link
     * #MAX_ENTRY_BYTES} serialized bytes.
     *
     * @return {@code entry}, for chaining
     * @throws MalformedEntryException if any of these fails
     */
    public static LogEntry check(LogEntry entry) throws MalformedEntryException {
        checkContent(entry);
        int size = entry.getSerializedSize();
        if (size > MAX_ENTRY_BYTES) {
            throw new MalformedEntryException(
                    "entry is " + size + " bytes serialized, want at most " + MAX_ENTRY_BYTES);
        }
        return entry;
    }

    /**
     * Serializes a valid entry deterministically: equal messages give equal bytes, whatever order
     * their fields (and map entries) were set in.
     *
     * @throws IllegalArgumentException if {@code entry} fails {@link #check} (a caller bug: check
     *     untrusted messages first)
     */
    public static byte[] serialize(LogEntry entry) {
        try {
            check(entry);
        } catch (MalformedEntryException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        byte[] out = new byte[entry.getSerializedSize()];
        CodedOutputStream stream = CodedOutputStream.newInstance(out);
        stream.useDeterministicSerialization();
        try {
            entry.writeTo(stream);
        } catch (IOException e) {
            throw new IllegalStateException("writing to an array of the serialized size failed", e);
        }
        stream.checkNoSpaceLeft();
        return out;
    }

    /**
     * A stable, short, lower-case name for the entry's event case, for metric labels and logs: the
     * oneof field's name in {@code log_entry.proto} (for example {@code "x509_svid_issued"}), or
     * {@code "none"} when no known case is set. Never throws for a non-null entry.
     */
    public static String kind(LogEntry entry) {
        return switch (entry.getEventCase()) {
            case X509_SVID_ISSUED -> "x509_svid_issued";
            case JWT_SVID_ISSUED -> "jwt_svid_issued";
            case WORKLOAD_REGISTERED -> "workload_registered";
            case KEY_PUBLISHED -> "key_published";
            case DELEGATION_GRANTED -> "delegation_granted";
            case CAPABILITY_TOKEN_ISSUED -> "capability_token_issued";
            case TOKEN_CONSUMED -> "token_consumed";
            case POLICY_PUBLISHED -> "policy_published";
            case POLICY_DECISION -> "policy_decision";
            case APPROVAL_REQUESTED -> "approval_requested";
            case APPROVAL_DECIDED -> "approval_decided";
            case REVOKED -> "revoked";
            case TOOL_CALL_RECORDED -> "tool_call_recorded";
            case EVENT_NOT_SET -> "none";
        };
    }

    /** Header and event checks shared by {@link #parse} and {@link #check}. */
    private static void checkContent(LogEntry entry) throws MalformedEntryException {
        if (!entry.hasHeader()) {
            throw new MalformedEntryException("entry has no header, want one");
        }
        if (entry.getHeader().getSchemaVersion() == 0) {
            throw new MalformedEntryException("entry header has schema_version 0, want >= 1");
        }
        if (entry.getEventCase() == LogEntry.EventCase.EVENT_NOT_SET) {
            var unknown = entry.getUnknownFields().asMap().keySet();
            if (unknown.isEmpty()) {
                throw new MalformedEntryException("entry has no event, want exactly one");
            }
            throw new MalformedEntryException("entry has no event this schema knows (unknown fields "
                    + unknown + ": written by a newer schema?), want exactly one known event");
        }
    }
}
