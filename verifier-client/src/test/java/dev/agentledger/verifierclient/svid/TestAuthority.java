package dev.agentledger.verifierclient.svid;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away trust domain for tests: a CA, a JWT key, SVIDs with chosen flaws, and its bundle document. */
public final class TestAuthority {
    public static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    final String trustDomain;
    final KeyPair caKey = p256();
    final X509Certificate ca;
    final KeyPair jwtKey = p256();
    final String jwtKid = "jwt-1";

    public TestAuthority(String trustDomain) throws Exception {
        this.trustDomain = trustDomain;
        this.ca = certificate(caKey, caKey, "spiffe://" + trustDomain, true, KeyUsage.keyCertSign | KeyUsage.cRLSign,
                NOW.minusSeconds(3600), NOW.plusSeconds(86_400));
    }

    /** The bundle document, as the authority serves it. */
    public String bundleJson() throws Exception {
        Map<String, Object> x509 = new ECKey.Builder(Curve.P_256, (java.security.interfaces.ECPublicKey) caKey.getPublic())
                .keyUse(new KeyUse("x509-svid"))
                .x509CertChain(List.of(com.nimbusds.jose.util.Base64.encode(ca.getEncoded()))).build().toJSONObject();
        Map<String, Object> jwt = new ECKey.Builder(Curve.P_256, (java.security.interfaces.ECPublicKey) jwtKey.getPublic())
                .keyUse(new KeyUse("jwt-svid")).keyID(jwtKid).build().toJSONObject();
        return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(
                Map.of("keys", List.of(x509, jwt), "spiffe_sequence", 7, "spiffe_refresh_hint", 300));
    }

    public SpiffeBundle bundle() throws Exception {
        return SpiffeBundle.parse(bundleJson(), trustDomain);
    }

    /** A well-formed X509-SVID for {@code id}, valid an hour around NOW. */
    public X509Certificate svid(String id) throws Exception {
        return certificate(p256(), caKey, id, false, KeyUsage.digitalSignature, NOW.minusSeconds(60), NOW.plusSeconds(3600));
    }

    X509Certificate certificate(KeyPair subject, KeyPair issuer, String uri, boolean ca, int usage, Instant from, Instant until)
            throws Exception {
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("O=SPIFFE"),
                BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(until), new X500Name("O=SPIFFE"), subject.getPublic());
        if (uri != null) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
        }
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (usage != 0) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    /** A JWT-SVID signed by the bundle's JWT key with the given header and claims. */
    String jwt(JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new ECDSASigner((java.security.interfaces.ECPrivateKey) jwtKey.getPrivate()));
        return jwt.serialize();
    }

    String jwtSvid(String sub, String aud, Instant exp) throws Exception {
        return jwt(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(jwtKid).type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().subject(sub).audience(aud).expirationTime(Date.from(exp)).jwtID("j1").build());
    }

    public static KeyPair p256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
