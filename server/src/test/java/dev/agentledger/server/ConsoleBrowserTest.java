package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.witness.WitnessServer;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's chromium and chromedriver): against a
 * running server with two witnesses, the page shows the checkpoint with both cosignatures
 * verified in the browser, finds an agent's entries by SPIFFE ID and verifies an inclusion proof,
 * shows a revocation made through the private API arrive on the live feed, and lets the approver
 * bob, signed in with a console JWT-SVID, approve one pending approval and deny another by
 * clicking; the server's state is then checked over mTLS, and a screenshot is checked to render.
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void auditorAndApproverUseTheConsole(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no " + CHROMIUM + " or " + CHROMEDRIVER + " (scripts/test installs them): the console is not tested in a browser");
        List<WitnessServer> witnesses = new ArrayList<>();
        try (AgentAuthority authority = AgentAuthority.of(RunningServer.start(dir.resolve("data"),
                (prepared, config) -> config.withWitnesses(startWitnesses(dir, prepared, witnesses))))) {
            Credentials payer = authority.spawn("payer");
            String payerId = AgentAuthority.spiffeId(payer);
            String victimId = AgentAuthority.spiffeId(authority.spawn("victim"));
            String chain = authority.delegate(payerId, "\"payments:send\"");
            String approveMe = authority.pendingPayment(payer, chain);
            String denyMe = authority.pendingPayment(payer, chain);
            authority.server.server.witnessSubmitter().orElseThrow().submitOnce();
            String token = consoleToken(authority);

            WebDriver browser = browser(dir.resolve("chromium-profile"));
            try {
                WebDriverWait wait = new WebDriverWait(browser, WAIT);
                browser.get(authority.server.server.publicUrl() + "/ui/");
                wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
                checkpointWithCosignatures(browser);
                searchAndVerify(browser, wait, payerId);
                liveRevocation(browser, wait, authority, victimId);
                decideByClicking(browser, wait, token, approveMe, denyMe);
                screenshotRenders(browser, dir);
            } finally {
                browser.quit();
            }
            assertDecided(authority, approveMe, "approved");
            assertDecided(authority, denyMe, "rejected");
            assertArrayEquals(Files.readAllBytes(Path.of("src/main/resources/dev/agentledger/server/ui/app.js")),
                    authority.server.get("/ui/app.js").body(), "the console is served as written (no resource filtering)");
        } finally {
            witnesses.forEach(WitnessServer::close);
        }
    }

    /** Two witnesses for the prepared log's key; the server submits to them. */
    private static List<WitnessSubmitter.Witness> startWitnesses(Path dir, dev.agentledger.server.bootstrap.Bootstrap.Prepared prepared,
            List<WitnessServer> started) {
        List<WitnessSubmitter.Witness> configured = new ArrayList<>();
        for (String name : List.of("w1", "w2")) {
            SignerKey key = SignerKey.generate("witness.test/" + name, SignatureType.COSIGNATURE_V1);
            Witness witness = Witness.create(CosignatureV1Signer.create(key, InstantSource.system()),
                    Map.of(prepared.settings().origin(), List.of(prepared.logKey().verifierKey())),
                    new FileWitnessStore(dir.resolve(name)));
            WitnessServer server = WitnessServer.start(witness, new HostPort("127.0.0.1", 0));
            started.add(server);
            configured.add(new WitnessSubmitter.Witness(URI.create(server.url()), key.verifierKey()));
        }
        return configured;
    }

    /** bob's console JWT-SVID, as {@code agentledger approvals login} gets it. */
    private static String consoleToken(AgentAuthority authority) throws Exception {
        HttpResponse<String> login = authority.post(authority.approver, "/api/v1/console/login", "application/json", "{}");
        assertEquals(200, login.statusCode(), login.body());
        return JsonParser.create(login.body()).readJsonObject().stringValue("token").orElseThrow();
    }

    private static WebDriver browser(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1024");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void checkpointWithCosignatures(WebDriver browser) {
        assertEquals("2 of 2 cosigned", browser.findElement(By.id("checkpoint-witnesses")).getText());
        List<WebElement> cosignatures = browser.findElements(By.cssSelector("#signatures tr.cosignature"));
        assertEquals(2, cosignatures.size());
        for (WebElement row : cosignatures) {
            String text = row.getText();
            assertTrue(text.contains("witness.test/w") && text.contains("Ed25519 signature valid"), text);
            assertTrue(text.matches("(?s).*\\d{4}-\\d{2}-\\d{2}T.*"), "cosignature time shown: " + text);
        }
        String log = browser.findElement(By.cssSelector("#signatures tr.log")).getText();
        assertTrue(log.contains("Ed25519 signature valid"), log);
    }

    private static void searchAndVerify(WebDriver browser, WebDriverWait wait, String spiffeId) {
        new Select(browser.findElement(By.id("search-kind"))).selectByValue("spiffe_id");
        browser.findElement(By.id("search-value")).sendKeys(spiffeId);
        browser.findElement(By.cssSelector("#search button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("entries-title"), "Entries about " + spiffeId));
        WebElement entry = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#entries .entry")));
        assertTrue(entry.getText().contains(spiffeId), entry.getText());
        entry.findElement(By.cssSelector("button.verify")).click();
        WebElement result = entry.findElement(By.cssSelector(".result"));
        wait.until(ExpectedConditions.textMatches(By.cssSelector("#entries .entry .result"), java.util.regex.Pattern.compile("verified|\u2717")));
        assertTrue(result.getText().contains("\u2713 verified"), result.getText());
    }

    private static void liveRevocation(WebDriver browser, WebDriverWait wait, AgentAuthority authority, String victimId)
            throws Exception {
        wait.until(ExpectedConditions.textMatches(By.id("feed-status"), java.util.regex.Pattern.compile("live: last heartbeat")));
        HttpResponse<String> revoked = authority.post(authority.server.operator(), "/api/v1/revocations", "application/json",
                "{\"revocation\": {\"spiffe_id\": \"" + victimId + "\", \"reason\": \"REVOCATION_REASON_AGENT_COMPROMISE\"}}");
        assertEquals(200, revoked.statusCode(), revoked.body());
        String sequence = JsonParser.create(revoked.body()).readJsonObject().objectValue("event", JsonObject.empty())
                .stringValue("sequence", "?");
        By row = By.cssSelector("#feed-rows tr[data-sequence='" + sequence + "']");
        wait.until(ExpectedConditions.textMatches(row, java.util.regex.Pattern.compile("in the signed log|\u2717")));
        String text = browser.findElement(row).getText();
        assertTrue(text.contains(victimId) && text.contains("agent compromise") && text.contains("\u2713 in the signed log"), text);
    }

    private static void decideByClicking(WebDriver browser, WebDriverWait wait, String token, String approveMe, String denyMe) {
        browser.findElement(By.id("token-input")).sendKeys(token);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textMatches(By.id("session-id"), java.util.regex.Pattern.compile("approver/bob")));
        assertEquals("", ((JavascriptExecutor) browser).executeScript("return document.cookie"), "no cookie holds the token");
        click(browser, wait, approveMe, "approve");
        click(browser, wait, denyMe, "deny");
        assertTrue(result(browser, approveMe).contains("approved by spiffe://agentledger.local/approver/bob"), result(browser, approveMe));
        assertTrue(result(browser, denyMe).contains("rejected by spiffe://agentledger.local/approver/bob"), result(browser, denyMe));
    }

    private static void click(WebDriver browser, WebDriverWait wait, String approvalId, String verb) {
        By card = By.cssSelector("[data-approval-id='" + approvalId + "']");
        wait.until(ExpectedConditions.presenceOfElementLocated(card));
        browser.findElement(card).findElement(By.cssSelector("input.comment")).sendKeys("decided in the console");
        browser.findElement(card).findElement(By.cssSelector("button." + verb)).click();
        wait.until(ExpectedConditions.textMatches(By.cssSelector("[data-approval-id='" + approvalId + "'] .result"),
                java.util.regex.Pattern.compile(".+")));
    }

    private static String result(WebDriver browser, String approvalId) {
        return browser.findElement(By.cssSelector("[data-approval-id='" + approvalId + "'] .result")).getText();
    }

    /** The server's record of the decision, read by bob over mTLS on the private listener. */
    private static void assertDecided(AgentAuthority authority, String approvalId, String status) throws Exception {
        var client = java.net.http.HttpClient.newBuilder().sslContext(dev.agentledger.server.client.TlsContexts.of(
                List.of(authority.server.prepared.caCertificate()), java.util.Optional.of(authority.approver))).build();
        HttpResponse<String> shown = client.send(java.net.http.HttpRequest.newBuilder(URI.create("https://localhost:"
                + authority.server.server.privateAddress().port() + "/api/v1/approvals/" + approvalId)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, shown.statusCode(), shown.body());
        JsonObject approval = JsonParser.create(shown.body()).readJsonObject();
        assertEquals(status, approval.stringValue("status", ""), shown.body());
        assertEquals("spiffe://agentledger.local/approver/bob", approval.stringValue("decided_by", ""), shown.body());
        assertEquals("decided in the console", approval.stringValue("comment", ""), shown.body());
    }

    /** The viewport screenshot decodes, has the viewport's size, many colours, and a drawn title area. */
    private static void screenshotRenders(WebDriver browser, Path dir) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("window.scrollTo(0, 0)");
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve("console.png"), png);
        Path kept = Path.of("target", "console-screenshot.png");
        Files.createDirectories(kept.getParent());
        Files.write(kept, png);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        long ratio = Math.round(((Number) js.executeScript("return window.devicePixelRatio")).doubleValue());
        assertEquals(((Number) js.executeScript("return window.innerWidth")).longValue() * ratio, image.getWidth());
        assertEquals(((Number) js.executeScript("return window.innerHeight")).longValue() * ratio, image.getHeight());
        assertTrue(colours(image, 0, 0, image.getWidth(), image.getHeight()) > 100, "the page is not blank");
        WebElement title = browser.findElement(By.cssSelector("header h1"));
        assertEquals("AgentLedger", title.getText());
        var box = title.getRect();
        int titleColours = colours(image, (int) (box.getX() * ratio), (int) (box.getY() * ratio),
                (int) (box.getWidth() * ratio), (int) (box.getHeight() * ratio));
        assertTrue(titleColours > 5, "the title area is drawn: " + titleColours + " colours");
    }

    private static int colours(BufferedImage image, int x0, int y0, int width, int height) {
        Set<Integer> seen = new HashSet<>();
        for (int y = Math.max(0, y0); y < Math.min(image.getHeight(), y0 + height); y++) {
            for (int x = Math.max(0, x0); x < Math.min(image.getWidth(), x0 + width); x++) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
