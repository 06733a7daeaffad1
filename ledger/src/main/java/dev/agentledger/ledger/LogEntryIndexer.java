package dev.agentledger.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.v1.LogEntry;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accepts only well-formed {@code agentledger.v1.LogEntry} messages and indexes each by what it
 * is about, found by field name anywhere in the event: every {@code *spiffe_id} field (a SPIFFE
 * ID), every {@code serial} field (a certificate serial, as lower-case hex), and every
 * {@code *token_id}, {@code *delegation_id} and {@code approval_id} field (a token id). The header
 * is not indexed: it names who appended the entry, not what the entry is about.
 */
public final class LogEntryIndexer implements EntryIndexer {
    /** The indexer for the product's log. */
    public static final LogEntryIndexer INSTANCE = new LogEntryIndexer();

    private LogEntryIndexer() {}

    @Override
    public List<IndexKey> keys(byte[] entry) throws InvalidEntryException {
        LogEntry parsed;
        try {
            parsed = LogEntries.parse(entry);
        } catch (MalformedEntryException e) {
            throw new InvalidEntryException("malformed log entry: " + e.getMessage(), e);
        }
        Set<IndexKey> keys = new LinkedHashSet<>();
        for (Map.Entry<FieldDescriptor, Object> field : parsed.getAllFields().entrySet()) {
            if (field.getKey().getNumber() != LogEntry.HEADER_FIELD_NUMBER) {
                collect(field.getKey(), field.getValue(), keys);
            }
        }
        return List.copyOf(keys);
    }

    private static void collect(FieldDescriptor field, Object value, Set<IndexKey> keys) throws InvalidEntryException {
        if (field.isRepeated()) {
            for (Object item : (List<?>) value) {
                collectOne(field, item, keys);
            }
        } else {
            collectOne(field, value, keys);
        }
    }

    private static void collectOne(FieldDescriptor field, Object value, Set<IndexKey> keys) throws InvalidEntryException {
        if (value instanceof Message message) {
            for (Map.Entry<FieldDescriptor, Object> inner : message.getAllFields().entrySet()) {
                collect(inner.getKey(), inner.getValue(), keys);
            }
            return;
        }
        String name = field.getName();
        IndexKey.Kind kind = kindOf(name);
        if (kind == null) {
            return;
        }
        String text = value instanceof ByteString bytes ? serialHex(bytes) : value.toString();
        if (text.isEmpty()) {
            return;
        }
        try {
            keys.add(new IndexKey(kind, text));
        } catch (IllegalArgumentException e) {
            throw new InvalidEntryException("field " + name + ": " + e.getMessage(), e);
        }
    }

    private static IndexKey.Kind kindOf(String fieldName) {
        if (fieldName.endsWith("spiffe_id")) {
            return IndexKey.Kind.SPIFFE_ID;
        }
        if (fieldName.equals("serial")) {
            return IndexKey.Kind.SERIAL;
        }
        if (fieldName.endsWith("token_id") || fieldName.endsWith("delegation_id") || fieldName.equals("approval_id")) {
            return IndexKey.Kind.TOKEN_ID;
        }
        return null;
    }

    /** A DER INTEGER's content octets as lower-case hex without leading zeros, the lookup form. */
    static String serialHex(ByteString der) {
        return der.isEmpty() ? "" : new BigInteger(der.toByteArray()).toString(16);
    }
}
