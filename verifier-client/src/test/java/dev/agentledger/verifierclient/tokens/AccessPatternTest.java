package dev.agentledger.verifierclient.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessPatternTest {
    @ParameterizedTest(name = "{0}: pattern {1}, value {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "db:read               | true  | true",
        "db:*                  | true  | false",
        "*                     | true  | false",
        "spiffe://td/tool/*    | true  | false",
        "spiffe://td/tool/db   | true  | true",
        "db*                   | false | false",   // a star must follow a separator
        "db:*:read             | false | false",   // only one final star
        "db:**                 | false | false",
        "'db read'             | false | false",   // space separates scope-tokens
        "'db:\"x'              | false | false",   // no quote (RFC 6749 scope-token)
        "'db:\\x'              | false | false",   // no backslash
        "'db:é'                | false | false",   // ASCII only
        "''                    | false | false",
    })
    void syntax(String text, boolean pattern, boolean value) {
        assertEquals(pattern, AccessPattern.isPattern(text));
        assertEquals(value, AccessPattern.isValue(text));
    }

    @Test
    void lengthIsLimited() {
        String longest = "a".repeat(AccessPattern.MAX_LENGTH);
        assertEquals(true, AccessPattern.isValue(longest));
        assertEquals(false, AccessPattern.isValue(longest + "a"));
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "db:read      | db:read        | true",
        "db:read      | db:write       | false",
        "db:read      | db:*           | false",   // a value never covers a pattern
        "db:*         | db:read        | true",
        "db:*         | db:table:x     | true",
        "db:*         | db:           | false",    // the prefix alone is not covered
        "db:*         | dbadmin:drop   | false",
        "db:*         | db:*           | true",
        "db:*         | db:table:*     | true",    // narrower pattern
        "db:table:*   | db:*           | false",   // wider pattern
        "*            | anything:at:all| true",
        "*            | *              | true",
        "db:*         | *              | false",
        "spiffe://td/tool/*  | spiffe://td/tool/db      | true",
        "spiffe://td/tool/*  | spiffe://td/tool/db/rows | true",
        "spiffe://td/tool/*  | spiffe://td/toolbox      | false",
        "spiffe://td/tool/db | spiffe://td/tool/db/     | false",
    })
    void covers(String pattern, String other, boolean covered) {
        assertEquals(covered, AccessPattern.covers(pattern, other));
    }

    @Test
    void firstUncoveredNamesTheWideningPattern() {
        assertEquals(Optional.empty(), AccessPattern.firstUncovered(List.of("db:*", "files:read"), List.of("db:read", "files:read")));
        assertEquals(Optional.of("files:write"), AccessPattern.firstUncovered(List.of("db:*", "files:read"), List.of("db:read", "files:write")));
        assertEquals(Optional.of("db:*"), AccessPattern.firstUncovered(List.of("db:read", "db:write"), List.of("db:*")),
                "literals together never cover a wildcard");
        assertEquals(Optional.empty(), AccessPattern.firstUncovered(List.of("db:read"), List.of()));
    }

    @Test
    void invalidPatternsAreCallerBugs() {
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.covers("db*", "db:read"));
        assertThrows(IllegalArgumentException.class, () -> AccessPattern.covers("db:*", "a b"));
    }
}
