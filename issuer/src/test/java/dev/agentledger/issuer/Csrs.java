package dev.agentledger.issuer;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds CSRs for tests, well-formed or with one thing wrong. */
final class Csrs {
    private Csrs() {}

    static KeyPair p256() throws GeneralSecurityException {
        return ec("secp256r1");
    }

    static KeyPair ec(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** A valid CSR for {@code pair} with subject {@code CN=agent} and no extensions. */
    static byte[] of(KeyPair pair) throws Exception {
        return build(pair.getPublic(), pair.getPrivate(), "SHA256withECDSA", null);
    }

    /** A CSR for {@code publicKey} signed by {@code signer} with {@code algorithm}, requesting {@code extensions}. */
    static byte[] build(PublicKey publicKey, PrivateKey signer, String algorithm, Extensions extensions) throws Exception {
        PKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=agent"), publicKey);
        if (extensions != null) {
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions);
        }
        return builder.build(new JcaContentSignerBuilder(algorithm).build(signer)).getEncoded();
    }

    /** Extensions with one extension. */
    static Extensions extension(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) throws Exception {
        ExtensionsGenerator generator = new ExtensionsGenerator();
        generator.addExtension(oid, critical, value);
        return generator.generate();
    }
}
