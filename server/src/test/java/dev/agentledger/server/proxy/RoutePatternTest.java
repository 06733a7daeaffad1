package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.server.proxy.ProxyConfig.Route;
import dev.agentledger.server.proxy.RoutePattern.Operation;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Route patterns: literal segments, one-segment parameters, a final rest, and the resource template. */
class RoutePatternTest {
    private static final String TOOL = "spiffe://td/tool/crm";

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            GET  | /invoices/{id}       | GET  /invoices/42      | invoices:read on spiffe://td/tool/crm
            GET  | /invoices/{id}       | GET  /invoices/42/x    | none
            GET  | /invoices/{id}       | GET  /invoices/        | none
            GET  | /invoices/{id}       | GET  /invoices         | none
            GET  | /invoices/{id}       | POST /invoices/42      | none
            get  | /invoices/{id}       | GET  /invoices/7       | invoices:read on spiffe://td/tool/crm
            GET  | /files/**            | GET  /files/a/b/c      | invoices:read on spiffe://td/tool/crm
            GET  | /files/**            | GET  /files            | none
            GET  | /                    | GET  /                 | invoices:read on spiffe://td/tool/crm
            GET  | /a/b                 | GET  /a/b              | invoices:read on spiffe://td/tool/crm
            GET  | /a/b                 | GET  /a/c              | none
            """)
    void matches(String method, String pattern, String call, String expected) {
        RoutePattern route = RoutePattern.compile(new Route(method, pattern, "invoices:read", null, null), TOOL);
        String[] parts = call.trim().split("\\s+");
        Optional<Operation> operation = route.match(parts[0], parts[1]);
        assertEquals(Optional.ofNullable(expected), operation.map(o -> o.action() + " on " + o.resource()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /contacts/{id}  | spiffe://td/tool/crm/contacts/{id} | /contacts/c-9 | spiffe://td/tool/crm/contacts/c-9
            /t/{a}/x/{b}    | {a}:{b}                            | /t/1/x/2      | 1:2
            """)
    void theResourceTakesPathParameters(String pattern, String resource, String path, String expected) {
        RoutePattern route = RoutePattern.compile(new Route("GET", pattern, "contacts:read", resource, null), TOOL);
        assertEquals(expected, route.match("GET", path).orElseThrow().resource());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            invoices        | none
            /a//b           | none
            /a/../b         | none
            /**/x           | none
            /a/{id}         | {other}
            """)
    void badPatternsAreRefused(String pattern, String resource) {
        assertThrows(IllegalArgumentException.class,
                () -> RoutePattern.compile(new Route("GET", pattern, "x:y", resource.equals("none") ? null : resource, null), TOOL));
    }
}
