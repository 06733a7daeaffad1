package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.proto.SpiffeId;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every refused CSR gets its reason and leaves the log as it was. */
class CsrRefusalTest extends IssuerOnLogTest {
    private static final SpiffeId AGENT = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/a/1");


    /** Makes a CSR that must be refused. */
    interface BadCsr {
        byte[] make() throws Exception;
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("empty", (BadCsr) () -> new byte[0], Reason.MALFORMED_CSR),
                Arguments.of("garbage", (BadCsr) () -> "not a certification request".getBytes(), Reason.MALFORMED_CSR),
                Arguments.of("truncated", (BadCsr) () -> {
                    byte[] csr = Csrs.of(Csrs.p256());
                    return Arrays.copyOf(csr, csr.length - 10);
                }, Reason.MALFORMED_CSR),
                Arguments.of("trailing byte", (BadCsr) () -> {
                    byte[] csr = Csrs.of(Csrs.p256());
                    return Arrays.copyOf(csr, csr.length + 1);
                }, Reason.MALFORMED_CSR),
                Arguments.of("oversize", (BadCsr) () -> new byte[Issuer.MAX_CSR_BYTES + 1], Reason.CSR_TOO_LARGE),
                Arguments.of("bad signature", (BadCsr) () -> {
                    byte[] csr = Csrs.of(Csrs.p256());
                    // The last byte is inside the signature's s value: still DER, no longer valid.
                    csr[csr.length - 1] ^= 0x01;
                    return csr;
                }, Reason.BAD_CSR_SIGNATURE),
                Arguments.of("signed by another key", (BadCsr) () -> {
                    KeyPair claimed = Csrs.p256();
                    KeyPair signer = Csrs.p256();
                    return Csrs.build(claimed.getPublic(), signer.getPrivate(), "SHA256withECDSA", null);
                }, Reason.BAD_CSR_SIGNATURE),
                Arguments.of("RSA key", (BadCsr) () -> {
                    KeyPair rsa = Csrs.rsa();
                    return Csrs.build(rsa.getPublic(), rsa.getPrivate(), "SHA256withRSA", null);
                }, Reason.UNSUPPORTED_KEY),
                Arguments.of("P-384 key", (BadCsr) () -> {
                    KeyPair p384 = Csrs.ec("secp384r1");
                    return Csrs.build(p384.getPublic(), p384.getPrivate(), "SHA256withECDSA", null);
                }, Reason.UNSUPPORTED_KEY),
                Arguments.of("SHA-1 signature", (BadCsr) () -> {
                    KeyPair pair = Csrs.p256();
                    return Csrs.build(pair.getPublic(), pair.getPrivate(), "SHA1withECDSA", null);
                }, Reason.UNSUPPORTED_KEY),
                Arguments.of("asks for cA=true", (BadCsr) () -> {
                    KeyPair pair = Csrs.p256();
                    return Csrs.build(pair.getPublic(), pair.getPrivate(), "SHA256withECDSA",
                            Csrs.extension(Extension.basicConstraints, true, new BasicConstraints(true)));
                }, Reason.CA_REQUESTED),
                Arguments.of("asks for keyCertSign", (BadCsr) () -> {
                    KeyPair pair = Csrs.p256();
                    return Csrs.build(pair.getPublic(), pair.getPrivate(), "SHA256withECDSA",
                            Csrs.extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)));
                }, Reason.CA_REQUESTED),
                Arguments.of("asks for cRLSign", (BadCsr) () -> {
                    KeyPair pair = Csrs.p256();
                    return Csrs.build(pair.getPublic(), pair.getPrivate(), "SHA256withECDSA",
                            Csrs.extension(Extension.keyUsage, true, new KeyUsage(KeyUsage.cRLSign)));
                }, Reason.CA_REQUESTED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedWithAReasonAndNothingLogged(String name, BadCsr bad, Reason reason) throws Exception {
        byte[] csr = bad.make();
        long before = log.size();
        IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.issueX509Svid(AGENT, csr));
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().length() > reason.name().length() + 2, "the message says what is wrong");
        assertEquals(before, log.size(), "nothing appended");
    }
}
