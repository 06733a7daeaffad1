package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.NoteVerifier;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.Tiling;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.GetConsistencyProofRequest;
import dev.agentledger.proto.v1.RevocationEvent;
import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.server.bootstrap.Bootstrap;
import dev.agentledger.server.bootstrap.CertificateAuthority;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.bootstrap.DataDir;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.Context;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server across {@code kill -9}: {@code agentledger serve} runs in a child JVM while
 * this one drives a mixed load through its real APIs ({@link MixedLoad}); the child is SIGKILLed
 * at a random moment and restarted on the same data directory, and then every acknowledged entry
 * must be at its acknowledged index with the same leaf (the public tiles reproduce the signed
 * root), every checkpoint ever returned must be consistent with the latest (a consistency proof
 * from the server, verified with the {@code merkle} module), every consumed token must stay
 * consumed, and every acknowledged revocation must be in the feed with the same sequence, log
 * index and entry.
 */
class ServerSoakTest {
    /** 2 in the suite; {@code scripts/server-soak.sh} runs hundreds through this property. */
    private static final int KILLS = Integer.getInteger("agentledger.soak.kills", 2);
    /** Load threads: the server shares the machine's cores with them. */
    private static final int THREADS = 3;
    /** Older consumed tokens replayed after each restart, beside every token of the last round. */
    private static final int OLD_TOKENS_REPLAYED = 5;

    /** The answers the load records: one kind per API call that logs. */
    private static final List<String> KINDS = List.of("append", "register", "join", "delegation", "exchange", "consume", "revocation");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void nothingAcknowledgedIsLostAcrossSigkill() throws Exception {
        DataDir data = new DataDir(dir.resolve("data"));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Bootstrap.Prepared prepared = Bootstrap.prepare(data, Optional.empty(), Optional.empty(), InstantSource.system());
        CertificateAuthority ca = Bootstrap.certificateAuthority(data, prepared.passphrase().value(), InstantSource.system());
        Credentials operator = Credentials.read(data.operatorKey(), data.operatorCertificate(), prepared.passphrase().value());
        Credentials tool = ca.issueClient(SpiffeId.parse(AgentAuthority.TOOL));
        NoteVerifier logKey = Ed25519NoteVerifier.create(prepared.logKey().verifierKey());
        MixedLoad.Journal journal = new MixedLoad.Journal();
        Random random = new Random(20261124);
        Checks checks = new Checks(logKey);
        long started = System.nanoTime();
        List<Long> startMillis = new ArrayList<>();
        for (int round = 0; round <= KILLS; round++) {
            long starting = System.nanoTime();
            ServerProcess server = ServerProcess.start(data, logs, round);
            startMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - starting));
            var listener = new AgentAuthority.PrivateListener(server.privateAddress, prepared.caCertificate(), operator);
            AgentAuthority authority = AgentAuthority.remote(listener, ca);
            try (LedgerClient client = authority.client(operator)) {
                checks.afterRestart(server, client, authority, tool, journal, round, random);
            } catch (AssertionError | RuntimeException e) {
                server.kill();
                throw new AssertionError("after restart " + round + ": " + e.getMessage() + "\nserver log:\n" + server.log(), e);
            }
            System.out.printf("server soak: restart %d/%d checked (%d ms to listen): %d answers acknowledged so far, tree size %d, "
                    + "%d checkpoints proven consistent, %d revocations, %d tokens consumed%n", round, KILLS, startMillis.getLast(),
                    journal.acks.size(), checks.latestSize(), checks.checkpointsVerified, journal.revocations.size(), journal.consumed.size());
            if (round == KILLS) {
                server.kill();
                break;
            }
            MixedLoad load = new MixedLoad(authority, server, operator, tool, logKey, journal, round);
            List<Thread> workers = load.start(THREADS, round);
            // The kill comes at a random moment once answers flow (a cold JVM on a busy machine takes a
            // while), and in the first round only once every kind of call was answered.
            long flowing = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int before = journal.acks.size();
            while ((journal.acks.size() < before + 2 * THREADS || round == 0 && !journal.counts.keySet().containsAll(KINDS))
                    && System.nanoTime() < flowing) {
                Thread.sleep(10);
            }
            Thread.sleep(random.nextInt(2000));
            List<Throwable> failures = load.killing();
            server.kill();
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(60));
                assertTrue(!worker.isAlive(), "a load thread did not notice the kill");
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError("round " + round + ": " + failures.size()
                        + " calls failed while the server was up; the first: " + failures.getFirst() + "\nserver log:\n" + server.log());
                failures.forEach(error::addSuppressed);
                throw error;
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        System.out.printf("server soak: %d kills in %d s, %d acknowledged answers %s, %d revocations, %d tokens consumed, "
                        + "final tree size %d, %d checkpoints checked for consistency, restarts took %d ms on average "
                        + "(max %d ms): 0 lost, 0 forks%n",
                KILLS, seconds, journal.acks.size(), journal.counts, journal.revocations.size(), journal.consumed.size(),
                checks.latestSize(), checks.checkpointsVerified,
                startMillis.stream().mapToLong(Long::longValue).sum() / startMillis.size(),
                startMillis.stream().mapToLong(Long::longValue).max().orElse(0));
        assertTrue(journal.acks.size() > KILLS, "the load acknowledged almost nothing (" + journal.acks.size() + "): the test proved little");
        assertTrue(journal.counts.keySet().containsAll(KINDS),
                "every kind of call was acknowledged at least once: " + journal.counts);
    }

    /** What is checked after each restart, with the state carried from one restart to the next. */
    private final class Checks {
        private final NoteVerifier logKey;
        private Checkpoint latest;
        private int acksChecked;
        long checkpointsVerified;

        Checks(NoteVerifier logKey) {
            this.logKey = logKey;
        }

        long latestSize() {
            return latest == null ? 0 : latest.size();
        }

        void afterRestart(ServerProcess server, LedgerClient client, AgentAuthority authority, Credentials tool,
                MixedLoad.Journal journal, int round, Random random) throws Exception {
            Checkpoint now = MixedLoad.checkpoint(client.checkpoint(), logKey);
            List<Hash> leaves = leaves(server, now.size());
            assertEquals(now.root(), CompactRange.of(leaves).root(), "the public tiles do not reproduce the signed root");
            // Every acknowledged entry, at its index with its leaf.
            List<MixedLoad.Ack> acks = List.copyOf(journal.acks);
            for (MixedLoad.Ack ack : acks) {
                assertTrue(ack.index() < now.size(), ack.what() + " acknowledged at " + ack.index() + " lost: the tree has " + now.size());
                assertEquals(ack.leaf(), leaves.get((int) ack.index()), ack.what() + " at " + ack.index() + " has another leaf");
            }
            // Every checkpoint returned since the last restart, and the last restart's, consistent with this one:
            // consistency composes, so older checkpoints need no proof again.
            Map<Long, Hash> toProve = new HashMap<>();
            if (latest != null) {
                toProve.put(latest.size(), latest.root());
            }
            for (MixedLoad.Ack ack : acks.subList(acksChecked, acks.size())) {
                Hash before = toProve.putIfAbsent(ack.checkpoint().size(), ack.checkpoint().root());
                assertTrue(before == null || before.equals(ack.checkpoint().root()),
                        "two checkpoints of size " + ack.checkpoint().size() + " with different roots: a fork");
            }
            for (Map.Entry<Long, Hash> old : toProve.entrySet()) {
                assertTrue(old.getKey() <= now.size(), "checkpoint " + old.getKey() + " is beyond the restarted log " + now.size());
                if (old.getKey() > 0) {
                    var proof = client.stub().getConsistencyProof(GetConsistencyProofRequest.newBuilder()
                            .setSize1(old.getKey()).setSize2(now.size()).build()).getProof();
                    ConsistencyProof.parse(old.getKey(), now.size(), proof.getHashesList().stream().map(ByteString::toByteArray).toList())
                            .verify(old.getValue(), now.root());
                }
                checkpointsVerified++;
            }
            acksChecked = acks.size();
            latest = now;
            replayConsumedTokens(authority, tool, journal, round, random);
            checkRevocations(client, journal);
        }

        /** Every token consumed in the last round, and a few older ones, is refused as used. */
        private void replayConsumedTokens(AgentAuthority authority, Credentials tool, MixedLoad.Journal journal, int round,
                Random random) throws Exception {
            List<MixedLoad.Consumed> all = List.copyOf(journal.consumed);
            List<MixedLoad.Consumed> replay = new ArrayList<>(all.stream().filter(c -> c.round() == round - 1).toList());
            for (int i = 0; i < OLD_TOKENS_REPLAYED && !all.isEmpty(); i++) {
                replay.add(all.get(random.nextInt(all.size())));
            }
            for (MixedLoad.Consumed consumed : replay) {
                HttpResponse<String> again = authority.post(tool, "/api/v1/tokens/consume", "application/json",
                        "{\"token\":\"" + consumed.token() + "\"}");
                assertEquals(409, again.statusCode(), "a token consumed in round " + consumed.round() + " was accepted again: " + again.body());
            }
        }

        /** The feed, from the start: every acknowledged revocation with its sequence, log index and entry. */
        private void checkRevocations(LedgerClient client, MixedLoad.Journal journal) throws Exception {
            Map<Long, MixedLoad.Revocation> acknowledged = new TreeMap<>();
            for (MixedLoad.Revocation r : journal.revocations) {
                acknowledged.put(r.sequence(), r);
            }
            long last = acknowledged.isEmpty() ? 0 : ((TreeMap<Long, MixedLoad.Revocation>) acknowledged).lastKey();
            Map<Long, RevocationEvent> feed = new HashMap<>();
            try (Context.CancellableContext watch = Context.current().withCancellation()) {
                watch.run(() -> {
                    Iterator<WatchRevocationsResponse> stream = RevocationServiceGrpc.newBlockingStub(client.channel())
                            .withDeadlineAfter(60, TimeUnit.SECONDS)
                            .watchRevocations(WatchRevocationsRequest.newBuilder().setFromSequence(0).build());
                    while (true) {
                        WatchRevocationsResponse message = stream.next();
                        if (message.hasEvent()) {
                            RevocationEvent event = message.getEvent();
                            assertEquals(feed.size() + 1, event.getSequence(), "the feed skipped or repeated a sequence");
                            feed.put(event.getSequence(), event);
                        } else if (message.getHeartbeat().getSequence() >= last && feed.size() >= message.getHeartbeat().getSequence()) {
                            return;
                        }
                    }
                });
            }
            for (MixedLoad.Revocation r : acknowledged.values()) {
                RevocationEvent event = feed.get(r.sequence());
                assertTrue(event != null, "acknowledged revocation " + r.sequence() + " is not in the feed after restart");
                assertEquals(r.logIndex(), event.getLogIndex(), "revocation " + r.sequence() + " moved in the log");
                assertEquals(r.leaf(), dev.agentledger.merkle.Rfc6962.hashLeaf(event.getEntry().toByteArray()),
                        "revocation " + r.sequence() + " has another entry");
            }
        }
    }

    /** Every leaf hash of the tree of {@code size}, read from the public level-0 tiles. */
    private List<Hash> leaves(ServerProcess server, long size) throws Exception {
        List<Hash> leaves = new ArrayList<>((int) size);
        for (long n = 0; n < Tiling.tileCount(0, size); n++) {
            Tile tile = Tiling.tile(0, n, size).orElseThrow();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(server.publicUrl() + "/" + tile.path())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode(), tile.path());
            byte[] body = response.body();
            assertEquals(tile.width() * Hash.SIZE, body.length, tile.path());
            for (int at = 0; at < body.length; at += Hash.SIZE) {
                leaves.add(Hash.of(body, at));
            }
        }
        return leaves;
    }
}
