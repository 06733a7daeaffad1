/**
 * SPIFFE identities as a relying party checks them: the trust bundle (SPIFFE Trust Domain and
 * Bundle, section 4: a JWK set with {@code use} {@code x509-svid} / {@code jwt-svid},
 * {@code spiffe_sequence} and {@code spiffe_refresh_hint}), X509-SVIDs (SPIFFE X509-SVID
 * standard, sections 4 and 5) and JWT-SVIDs (SPIFFE JWT-SVID standard, sections 3 and 4).
 */
package dev.agentledger.verifierclient.svid;
