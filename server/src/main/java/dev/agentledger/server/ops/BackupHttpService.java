package dev.agentledger.server.ops;

import dev.agentledger.server.auth.Roles;
import dev.agentledger.server.grpc.CallerIdentity;
import dev.agentledger.server.issuance.JsonAnswers;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;

/**
 * {@code POST /api/v1/backups} on the private mTLS listener, for the operator only: the body
 * {@code {"directory": "/absolute/path"}} names a new directory on the server's host; the answer
 * is {@code {"directory", "tree_size", "root", "checkpoint", "files"}} once the backup is written
 * and its log checked. A wrong directory is 400, another role 403, a failed write 500 with the
 * reason.
 */
public final class BackupHttpService implements HttpService {
    private final Backups backups;
    private final Roles roles;

    /** Backups through {@code backups} for the operator {@code roles} names. */
    public BackupHttpService(Backups backups, Roles roles) {
        this.backups = backups;
        this.roles = roles;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/backups", this::backup);
    }

    private void backup(ServerRequest req, ServerResponse res) {
        JsonAnswers.respond(res, () -> {
            roles.require(CallerIdentity.of(req.remotePeer().tlsCertificates()), "write a backup");
            JsonObject body = JsonParser.create(req.content().as(byte[].class)).readJsonObject();
            String directory = body.stringValue("directory")
                    .orElseThrow(() -> new JsonAnswers.BadRequest("give {\"directory\": \"/absolute/path/on/the/server\"}"));
            Backups.Backup backup;
            try {
                backup = backups.write(Path.of(directory));
            } catch (Backups.InvalidTargetException | java.nio.file.InvalidPathException e) {
                throw new JsonAnswers.BadRequest(e.getMessage());
            }
            return JsonObject.builder()
                    .set("directory", backup.directory().toString())
                    .set("tree_size", backup.checkpoint().size())
                    .set("root", backup.checkpoint().checkpoint().root().toBase64())
                    .set("checkpoint", backup.checkpoint().note())
                    .set("files", backup.files())
                    .build();
        });
    }
}
