package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.Provider;
import java.security.Signature;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The java.security Ed25519 engine against RFC 8032 section 7.1 test vectors 1 to 3. */
class Ed25519Test {
    private static final HexFormat HEX = HexFormat.of();

    static Stream<Arguments> rfc8032() {
        return Stream.of(
                Arguments.of("TEST 1",
                        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
                Arguments.of("TEST 2",
                        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
                Arguments.of("TEST 3",
                        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
                        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc8032")
    void matchesRfc8032(String name, String seed, String publicKey, String message, String signature) {
        assertArrayEquals(HEX.parseHex(publicKey), Ed25519.publicKeyOf(HEX.parseHex(seed)));
        assertArrayEquals(HEX.parseHex(signature), Ed25519.signing(HEX.parseHex(seed), null).sign(HEX.parseHex(message)));
        Ed25519 verifier = Ed25519.verifying(HEX.parseHex(publicKey), null);
        assertTrue(verifier.verify(HEX.parseHex(message), HEX.parseHex(signature)));
        byte[] bad = HEX.parseHex(signature);
        bad[0] ^= 1;
        assertFalse(verifier.verify(HEX.parseHex(message), bad));
        assertFalse(verifier.verify(HEX.parseHex(message), new byte[63]));
        assertFalse(verifier.verify(HEX.parseHex(message), new byte[64]));
    }

    /** The provider overloads: here the JDK's own provider, named explicitly. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc8032")
    void explicitProviderGivesTheSameSignatures(String name, String seed, String publicKey, String message,
            String signature) throws Exception {
        Provider provider = Signature.getInstance("Ed25519").getProvider();
        SignerKey key = SignerKey.fromSeed("rfc8032", SignatureType.ED25519, HEX.parseHex(seed));
        assertArrayEquals(HEX.parseHex(publicKey), key.verifierKey().publicKey());
        Ed25519NoteSigner signer = Ed25519NoteSigner.create(key, provider);
        Ed25519NoteVerifier verifier = Ed25519NoteVerifier.create(key.verifierKey(), provider);
        assertEquals("rfc8032", Notes.open(Notes.sign("x\n", signer), List.of(verifier)).verifiedSignatures().get(0).name());
        assertArrayEquals(Ed25519NoteSigner.create(key).sign(new byte[] {1}), signer.sign(new byte[] {1}));
    }

    /** Pooled Signature objects must not mix up concurrent messages. */
    @Test
    void concurrentSigningAndVerifyingAgree() throws Exception {
        SignerKey key = SignerKey.generate("concurrent", SignatureType.ED25519);
        Ed25519NoteSigner signer = Ed25519NoteSigner.create(key);
        Ed25519NoteVerifier verifier = Ed25519NoteVerifier.create(key.verifierKey());
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> results = IntStream.range(0, 200)
                    .mapToObj(i -> pool.submit(() -> {
                        String text = "message " + i + "\n";
                        return Notes.open(Notes.sign(text, signer), List.of(verifier)).text();
                    }))
                    .toList();
            for (int i = 0; i < results.size(); i++) {
                assertEquals("message " + i + "\n", results.get(i).get());
            }
        }
    }

    @Test
    void wrongKeyLengthsAreCallerErrors() {
        assertThrows(IllegalArgumentException.class, () -> Ed25519.signing(new byte[31], null));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.verifying(new byte[33], null));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.publicKeyOf(new byte[0]));
    }
}
