package dev.agentledger.verifierclient.witness;

/**
 * Why the witness refused an {@code add-checkpoint} request (c2sp.org/tlog-witness). One subtype
 * per answer the spec defines, so the transport maps them by type: {@link MalformedRequestException}
 * 400, {@link UnsignedCheckpointException} 403, {@link UnknownOriginException} 404, {@link
 * SizeConflictException} 409, {@link InconsistentCheckpointException} 422. Nothing was recorded or
 * cosigned.
 */
public abstract sealed class WitnessException extends Exception
        permits MalformedRequestException, UnknownOriginException, UnsignedCheckpointException,
                SizeConflictException, InconsistentCheckpointException {
    private static final long serialVersionUID = 1L;

    WitnessException(String message, Throwable cause) {
        super(message, cause);
    }
}
