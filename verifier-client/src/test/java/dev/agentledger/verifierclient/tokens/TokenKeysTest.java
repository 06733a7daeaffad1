package dev.agentledger.verifierclient.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TokenKeysTest {
    private final KeyPair one = Minter.newKey();
    private final KeyPair two = Minter.newKey();

    @Test
    void theJwkSetRoundTrips() throws Exception {
        Map<String, ECPublicKey> map = new LinkedHashMap<>();
        map.put("k1", (ECPublicKey) one.getPublic());
        map.put("k2", (ECPublicKey) two.getPublic());
        TokenKeys keys = TokenKeys.of(map);
        Map<String, Object> json = JSONObjectUtils.parse(keys.json());
        assertEquals(Set.of("keys"), json.keySet());
        List<?> list = (List<?>) json.get("keys");
        assertEquals(2, list.size());
        Map<?, ?> first = (Map<?, ?>) list.get(0);
        assertEquals(Set.of("kty", "crv", "x", "y", "use", "alg", "kid"), first.keySet());
        assertEquals("sig", first.get("use"));
        assertEquals("ES256", first.get("alg"));
        assertEquals("k1", first.get("kid"));
        TokenKeys parsed = TokenKeys.parse(keys.json());
        assertEquals(List.of("k1", "k2"), List.copyOf(parsed.keyIds()));
        assertEquals(one.getPublic(), parsed.key("k1").orElseThrow());
        assertEquals(two.getPublic(), parsed.key("k2").orElseThrow());
    }

    private String jwk(Map<String, Object> extra, KeyPair pair, boolean withPrivate) {
        ECKey.Builder builder = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).keyID("k1");
        if (withPrivate) {
            builder.privateKey((ECPrivateKey) pair.getPrivate());
        }
        Map<String, Object> key = new LinkedHashMap<>(builder.build().toJSONObject());
        key.putAll(extra);
        return JSONObjectUtils.toJSONString(Map.of("keys", List.of(key)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"private", "enc", "ES384", "duplicate kid", "no kid", "duplicate name", "not JSON", "off curve", "P-384"})
    void refuses(String what) throws Exception {
        String text = switch (what) {
            case "private" -> jwk(Map.of(), one, true);
            case "enc" -> jwk(Map.of("use", "enc"), one, false);
            case "ES384" -> jwk(Map.of("alg", "ES384"), one, false);
            case "duplicate kid" -> {
                String k = jwk(Map.of(), one, false);
                yield k.replace("]}", "," + k.substring(k.indexOf('[') + 1, k.lastIndexOf(']')) + "]}");
            }
            case "no kid" -> jwk(Map.of(), one, false).replace("\"kid\":\"k1\",", "").replace(",\"kid\":\"k1\"", "");
            case "duplicate name" -> jwk(Map.of(), one, false).replace("\"kid\":\"k1\"", "\"kid\":\"k1\",\"kid\":\"k1\"");
            case "not JSON" -> "{\"keys\":[";
            case "off curve" -> {
                Map<String, Object> key = new LinkedHashMap<>(JSONObjectUtils.parse(jwk(Map.of(), one, false)));
                Map<String, Object> k = new LinkedHashMap<>();
                ((Map<?, ?>) ((List<?>) key.get("keys")).get(0)).forEach((name, value) -> k.put((String) name, value));
                k.put("y", k.get("x"));
                yield JSONObjectUtils.toJSONString(Map.of("keys", List.of(k)));
            }
            case "P-384" -> {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp384r1"));
                ECKey key = new ECKey.Builder(Curve.P_384, (ECPublicKey) generator.generateKeyPair().getPublic()).keyID("k1").build();
                yield JSONObjectUtils.toJSONString(Map.of("keys", List.of(key.toJSONObject())));
            }
            default -> throw new AssertionError(what);
        };
        assertEquals(Reason.MALFORMED, assertThrows(TokenException.class, () -> TokenKeys.parse(text)).reason());
    }

    @Test
    void refusesOversize() {
        assertEquals(Reason.OVERSIZE, assertThrows(TokenException.class,
                () -> TokenKeys.parse(" ".repeat(TokenKeys.MAX_LENGTH + 1))).reason());
    }
}
