package dev.agentledger.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.agentledger.proto.v1.LedgerServiceProto;
import dev.agentledger.proto.v1.LogEntryProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tripwire against adding a secret to the public, append-only log by accident: no field of any
 * message in the schema may be named {@code token} or contain {@code secret}, {@code password} or
 * {@code private_key}. It checks names only, so it is not a proof: a field named {@code blob} could
 * still be misused. Review each new field against the rule at the top of log_entry.proto; log
 * tokens as {@code token_id} and {@code token_sha256}, secrets by name
 * ({@code injected_credential_names}).
 */
class SchemaSecretNamesTest {

    @Test
    void noFieldNameSuggestsASecret() {
        List<String> offending = new ArrayList<>();
        Stream.of(LogEntryProto.getDescriptor(), LedgerServiceProto.getDescriptor())
                .map(FileDescriptor::getMessageTypes)
                .flatMap(List::stream)
                .forEach(message -> collectOffending(message, offending));
        assertEquals(List.of(), offending);
    }

    /** The rule itself, on names that must and must not trip it. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "token, true",
        "Token, true",
        "client_secret, true",
        "secret_names, true",
        "password_hash, true",
        "private_key_der, true",
        "token_id, false",
        "token_sha256, false",
        "join_token_sha256, false",
        "public_key_der, false",
        "injected_credential_names, false",
    })
    void ruleFlagsSecretLookingNames(String name, boolean flagged) {
        assertEquals(flagged, suggestsSecret(name));
    }

    private static void collectOffending(Descriptor message, List<String> offending) {
        for (FieldDescriptor field : message.getFields()) {
            if (suggestsSecret(field.getName())) {
                offending.add(field.getFullName());
            }
        }
        message.getNestedTypes().forEach(nested -> collectOffending(nested, offending));
    }

    static boolean suggestsSecret(String fieldName) {
        String name = fieldName.toLowerCase(Locale.ROOT);
        return name.equals("token")
                || name.contains("secret")
                || name.contains("password")
                || name.contains("private_key");
    }
}
