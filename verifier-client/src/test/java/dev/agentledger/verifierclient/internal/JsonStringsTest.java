package dev.agentledger.verifierclient.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON strings (RFC 8259 section 7): plain ones taken whole, escapes anywhere decoded, bad ones refused. */
class JsonStringsTest {
    @Test
    void plainAndEscapedStringsDecode() {
        assertEquals("", Json.parse("\"\""));
        assertEquals("plain text/with+base64==", Json.parse("\"plain text/with+base64==\""));
        assertEquals("ab\ncd\"e\\f/g\u00e9h", Json.parse("\"ab\\ncd\\\"e\\\\f\\/g\\u00e9h\""));
        assertEquals("\tfirst", Json.parse("\"\\tfirst\""));
        assertEquals("last\r", Json.parse("\"last\\r\""));
        assertEquals(Map.of("k", List.of("a", "b\nc")), Json.parse("{\"k\":[\"a\",\"b\\nc\"]}"));
        // Written by JsonText and read back.
        String note = "origin\n42\nroot=\n\n\u2014 origin sig\"\\\n";
        assertEquals(note, Json.parse(JsonText.quote(note)));
    }

    @Test
    void badStringsAreRefused() {
        for (String bad : List.of("\"open", "\"raw\ncontrol\"", "\"plain then \\", "\"bad \\x escape\"", "\"short \\u12\"",
                "\"a\" trailing")) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
