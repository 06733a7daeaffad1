package dev.agentledger.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import dev.agentledger.server.CapturedLog;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcRouting;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a real Helidon gRPC listener with a real client: a call closed INTERNAL (here by the service;
 * in production also by the gRPC library or the transport) and a unary call reset by its client
 * before its answer each leave one server-side line naming the method; answered calls and
 * ordinary refusals leave none.
 */
class FailedCallsTest {
    private static final String SERVICE = "test.Calls";
    private static final MethodDescriptor<StringValue, StringValue> ANSWER = method("Answer");
    private static final MethodDescriptor<StringValue, StringValue> REFUSE = method("Refuse");
    private static final MethodDescriptor<StringValue, StringValue> FAIL = method("Fail");
    private static final MethodDescriptor<StringValue, StringValue> HOLD = method("Hold");

    private final CountDownLatch held = new CountDownLatch(1);
    private CapturedLog log;
    private WebServer server;
    private ManagedChannel channel;

    private static MethodDescriptor<StringValue, StringValue> method(String name) {
        return MethodDescriptor.<StringValue, StringValue>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                .build();
    }

    @BeforeEach
    void start() {
        ServerServiceDefinition calls = ServerServiceDefinition.builder(SERVICE)
                .addMethod(ANSWER, ServerCalls.asyncUnaryCall((request, out) -> {
                    out.onNext(request);
                    out.onCompleted();
                }))
                .addMethod(REFUSE, ServerCalls.asyncUnaryCall((request, out) ->
                        out.onError(Status.NOT_FOUND.withDescription("no such entry").asRuntimeException())))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, out) ->
                        out.onError(Status.INTERNAL.withDescription("the signing key expired").asRuntimeException())))
                .addMethod(HOLD, ServerCalls.asyncUnaryCall((request, out) -> held.countDown()))
                .build();
        server = WebServer.builder().host("127.0.0.1").port(0)
                .addRouting(GrpcRouting.builder().intercept(new FailedCalls()).service(calls))
                .build().start();
        // After the start: the first server in a JVM lets Helidon configure java.util.logging anew.
        log = CapturedLog.of(FailedCalls.class);
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create()).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        log.close();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.stop();
    }

    private StringValue call(MethodDescriptor<StringValue, StringValue> method) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, StringValue.of("request"));
    }

    @Test
    void aCallClosedInternalLeavesOneLine() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(FAIL));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        List<LogRecord> lines = log.records();
        assertEquals(1, lines.size(), lines.toString());
        String line = format(lines.getFirst());
        assertEquals(Level.WARNING, lines.getFirst().getLevel());
        assertTrue(line.contains("test.Calls/Fail") && line.contains("INTERNAL") && line.contains("the signing key expired"), line);
    }

    @Test
    void answeredCallsAndRefusalsLeaveNoLine() {
        assertEquals("request", call(ANSWER).getValue());
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> call(REFUSE)).getStatus().getCode());
        assertEquals(List.of(), log.records());
    }

    @Test
    void aUnaryCallResetByItsClientBeforeItsAnswerLeavesOneLine() throws InterruptedException {
        ClientCall<StringValue, StringValue> call = channel.newCall(HOLD, CallOptions.DEFAULT);
        call.start(new ClientCall.Listener<>() {}, new Metadata());
        call.request(1);
        call.sendMessage(StringValue.of("request"));
        call.halfClose();
        assertTrue(held.await(30, TimeUnit.SECONDS), "the service never got the call");
        call.cancel("the client gives up", null);
        assertTrue(log.awaitFirst(Duration.ofSeconds(30)), "no line for the reset call");
        String line = format(log.records().getFirst());
        assertTrue(line.contains("test.Calls/Hold") && line.contains("was cancelled") && line.contains("127.0.0.1"), line);
    }

    private static String format(LogRecord record) {
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }
}
