package dev.agentledger.server.http;

import dev.agentledger.issuer.Issuer;
import dev.agentledger.issuer.LoggedCredential;
import io.helidon.json.JsonObject;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The JSON answer that carries a new X509-SVID, the same for a join ({@code POST /api/v1/join})
 * and a renewal ({@code POST /api/v1/svids/x509}): {@code spiffe_id}, {@code certificate_chain}
 * and {@code trust_bundle} (standard base64 DER, leaf first), {@code proof} ({@code index},
 * {@code leaf_hash}, {@code checkpoint}, {@code inclusion_proof}).
 */
public final class SvidAnswer {
    private SvidAnswer() {}

    /**
     * The answer for {@code logged}, issued by {@code issuer}.
     *
     * @throws CertificateEncodingException if a certificate does not encode (it was just made)
     * @throws CertificateParsingException if the SVID's SANs do not parse (it was just made)
     */
    public static JsonObject of(Issuer issuer, LoggedCredential<X509Certificate> logged)
            throws CertificateEncodingException, CertificateParsingException {
        return JsonObject.builder()
                .set("spiffe_id", String.valueOf(logged.credential().getSubjectAlternativeNames().iterator().next().get(1)))
                .setStrings("certificate_chain", base64(List.of(logged.credential(), issuer.caCertificate())))
                .setStrings("trust_bundle", base64(issuer.trustBundle().x509Authorities()))
                .set("proof", JsonViews.logged(logged))
                .build();
    }

    private static List<String> base64(List<X509Certificate> certificates) throws CertificateEncodingException {
        List<String> encoded = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            encoded.add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        }
        return encoded;
    }
}
