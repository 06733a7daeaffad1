package dev.agentledger.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.MalformedEntryException;
import dev.agentledger.proto.Serials;
import dev.agentledger.proto.v1.LogEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Accepts only well-formed {@code agentledger.v1.LogEntry} messages and indexes each by what it
 * is about, found by field name anywhere in the event: every {@code *spiffe_id} field (a SPIFFE
 * ID), every {@code serial} field (a certificate serial, as lower-case hex), and every
 * {@code *token_id}, {@code *delegation_id}, {@code delegation_ids} and {@code approval_id} field (a
 * token id): so looking up a delegation id finds the delegation, its children, the tokens issued
 * under it, and every policy decision and tool call made under it at any depth of the chain. The
 * header is not indexed: it names who appended the entry, not what the entry is about.
 */
public final class LogEntryIndexer implements EntryIndexer {
    /** The indexer for the product's log. */
    public static final LogEntryIndexer INSTANCE = new LogEntryIndexer();
    /** Per message type, the fields worth walking (see {@link #relevant(Descriptor)}). */
    private static final ConcurrentMap<Descriptor, List<FieldDescriptor>> RELEVANT = new ConcurrentHashMap<>();

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
        for (FieldDescriptor field : relevant(LogEntry.getDescriptor())) {
            if (field.getNumber() != LogEntry.HEADER_FIELD_NUMBER) {
                collect(parsed, field, keys);
            }
        }
        return List.copyOf(keys);
    }

    /**
     * The fields of {@code type} that are index keys or may hold one (messages that contain such
     * fields, at any depth), in field-number order: walking only these visits what walking every
     * set field would, without the reflection over certificates, proofs and the like.
     */
    private static List<FieldDescriptor> relevant(Descriptor type) {
        List<FieldDescriptor> known = RELEVANT.get(type);
        if (known == null) {
            known = relevant(type, new HashSet<>());
        }
        return known;
    }

    private static List<FieldDescriptor> relevant(Descriptor type, Set<Descriptor> visiting) {
        List<FieldDescriptor> known = RELEVANT.get(type);
        if (known != null) {
            return known;
        }
        visiting.add(type);
        List<FieldDescriptor> fields = new ArrayList<>();
        for (FieldDescriptor field : type.getFields()) {
            boolean holds = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    ? visiting.contains(field.getMessageType()) || !relevant(field.getMessageType(), visiting).isEmpty()
                    : kindOf(field.getName()) != null;
            if (holds) {
                fields.add(field);
            }
        }
        fields.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
        visiting.remove(type);
        List<FieldDescriptor> result = List.copyOf(fields);
        RELEVANT.put(type, result);
        return result;
    }

    private static void collect(Message message, FieldDescriptor field, Set<IndexKey> keys) throws InvalidEntryException {
        if (field.isRepeated()) {
            int count = message.getRepeatedFieldCount(field);
            for (int i = 0; i < count; i++) {
                collectOne(field, message.getRepeatedField(field, i), keys);
            }
        } else if (message.hasField(field) || (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE && !field.hasPresence())) {
            collectOne(field, message.getField(field), keys);
        }
    }

    private static void collectOne(FieldDescriptor field, Object value, Set<IndexKey> keys) throws InvalidEntryException {
        if (value instanceof Message message) {
            for (FieldDescriptor inner : relevant(message.getDescriptorForType())) {
                collect(message, inner, keys);
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
        if (fieldName.endsWith("token_id") || fieldName.endsWith("delegation_id") || fieldName.equals("delegation_ids")
                || fieldName.equals("approval_id")) {
            return IndexKey.Kind.TOKEN_ID;
        }
        return null;
    }

    /** A DER INTEGER's content octets as lower-case hex without leading zeros, the lookup form. */
    static String serialHex(ByteString der) {
        return der.isEmpty() ? "" : Serials.hex(der);
    }
}
