/** Authorization on the private listener: roles of authenticated SPIFFE IDs. */
package dev.agentledger.server.auth;
