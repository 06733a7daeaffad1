package dev.agentledger.server.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** Runs a unary call's body and sends its answer, or its failure mapped by {@link GrpcErrors}. */
final class Unary {
    private Unary() {}

    /** The body of a unary call: computes the response or throws. */
    interface Call<T> {
        T call() throws Exception;
    }

    static <T> void respond(StreamObserver<T> out, Call<T> call) {
        T response;
        try {
            response = call.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
            return;
        } catch (Exception e) {
            out.onError(GrpcErrors.toStatus(e));
            return;
        }
        out.onNext(response);
        out.onCompleted();
    }
}
