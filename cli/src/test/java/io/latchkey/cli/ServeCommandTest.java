package io.latchkey.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** serve and demo in-process: the service runs on a thread and is stopped through its handle. */
@Timeout(60)
class ServeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  CliHarness cli;
  ExecutorService thread;
  CompletableFuture<DemoService> started;
  HttpClient http;

  @BeforeEach
  void setUp() {
    cli = CliHarness.inMemory(dir);
    started = new CompletableFuture<>();
    cli.onServerStarted = started::complete;
    thread = Executors.newSingleThreadExecutor();
    http = HttpClient.newBuilder().connectTimeout(CALL_TIMEOUT).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    started.thenAccept(DemoService::close);
    thread.shutdownNow();
    assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private Future<CliHarness.Run> start(String... args) throws Exception {
    Future<CliHarness.Run> run = thread.submit(() -> cli.run(args));
    try {
      started.get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("did not start: " + (run.isDone() ? run.get().err() : "hung"), e);
    }
    return run;
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return call("GET", path, token);
  }

  private HttpResponse<String> call(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create(started.get().baseUri() + path))
        .timeout(CALL_TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(started.get().baseUri() + path))
        .timeout(CALL_TIMEOUT).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void serve_management_mountsTheApiAndPrintsTheFirstOperatorTokenOnce() throws Exception {
    Future<CliHarness.Run> run = start("serve", "--port", "0", "--management");
    Matcher m = Pattern.compile("operator token \\(shown once, keep it secret\\): (\\S+)")
        .matcher(cli.liveOut.toString());
    assertThat(m.find()).as(cli.liveOut.toString()).isTrue();
    String operator = m.group(1);

    HttpResponse<String> created = post("/manage/workspaces/acme/tokens", operator,
        "{\"name\": \"from-http\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(get("/manage/openapi.json", null).statusCode()).isEqualTo(200);
    assertThat(get("/manage/workspaces/acme/tokens", null).statusCode()).isEqualTo(401);
    started.get().close();
    assertThat(run.get(10, TimeUnit.SECONDS).exitCode()).isZero();
    JsonNode history = cli.ok("history", "--json", "-w", "acme").json();
    assertThat(history.get("entries").get(0).get("actor").asText())
        .startsWith("token:").endsWith("operator");

    started = new CompletableFuture<>();
    cli.onServerStarted = started::complete;
    Future<CliHarness.Run> again = start("serve", "--port", "0", "--management");
    started.get().close();
    CliHarness.Run second = again.get(10, TimeUnit.SECONDS);
    assertThat(second.out()).doesNotContain("operator token (shown once")
        .contains("operator workspace latchkey-ops has tokens");
  }

  @Test
  void serve_withoutManagement_hasNoManagementApi() throws Exception {
    Future<CliHarness.Run> run = start("serve", "--port", "0");
    assertThat(get("/manage/openapi.json", null).statusCode()).isEqualTo(404);
    started.get().close();
    assertThat(run.get(10, TimeUnit.SECONDS).out()).doesNotContain("/manage");
  }

  @Test
  void serve_guardsRoutesWithTheValidator() throws Exception {
    JsonNode reader = cli.issue("acme", "reader", "-p", "reports:read");
    String token = reader.get("token").asText();
    Future<CliHarness.Run> run = start("serve", "--port", "0", "--cache-ttl", "0s");

    HttpResponse<String> whoami = get("/whoami", token);
    HttpResponse<String> reports = get("/reports", token);
    HttpResponse<String> admin = call("POST", "/admin", token);
    HttpResponse<String> anonymous = get("/reports", null);
    HttpResponse<String> garbage = get("/reports", "lk_garbage");

    assertThat(whoami.statusCode()).isEqualTo(200);
    JsonNode principal = JSON.readTree(whoami.body());
    assertThat(principal.get("id").asText()).isEqualTo(reader.get("id").asText());
    assertThat(principal.get("workspace").asText()).isEqualTo("acme");
    assertThat(principal.get("permissions")).extracting(JsonNode::asText)
        .containsExactly("reports:read");
    assertThat(principal.get("clientIp").asText()).isEqualTo("127.0.0.1");
    assertThat(reports.statusCode()).isEqualTo(200);
    assertThat(admin.statusCode()).isEqualTo(403);
    assertThat(admin.headers().firstValue("WWW-Authenticate")).hasValue(
        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"admin:write\"");
    assertThat(JSON.readTree(admin.body()).get("error").asText()).isEqualTo("insufficient_scope");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
    assertThat(garbage.statusCode()).isEqualTo(401);
    assertThat(garbage.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\", error=\"invalid_token\"");

    cli.ok("disable", reader.get("id").asText());
    HttpResponse<String> disabled = get("/reports", token);
    assertThat(disabled.statusCode()).isEqualTo(401);
    assertThat(disabled.body()).isEqualTo(garbage.body());

    started.get().close();
    CliHarness.Run result = run.get(10, TimeUnit.SECONDS);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("listening on " + started.get().baseUri());
  }

  @Test
  void serve_unknownRoute404AndIndexOpen() throws Exception {
    start("serve", "--port", "0");

    assertThat(get("/nope", null).statusCode()).isEqualTo(404);
    HttpResponse<String> index = get("/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("/whoami", "reports:read", "admin:write");
  }

  @Test
  void serve_wrongMethod_405WithAllowBeforeAnyTokenCheck() throws Exception {
    JsonNode admin = cli.issue("acme", "admin", "-p", "reports:read", "-p", "admin:write");
    String token = admin.get("token").asText();
    start("serve", "--port", "0");

    HttpResponse<String> postReports = call("POST", "/reports", token);
    HttpResponse<String> getAdmin = call("GET", "/admin", token);
    HttpResponse<String> deleteWhoami = call("DELETE", "/whoami", null);

    assertThat(postReports.statusCode()).isEqualTo(405);
    assertThat(postReports.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(getAdmin.statusCode()).isEqualTo(405);
    assertThat(getAdmin.headers().firstValue("Allow")).hasValue("POST");
    assertThat(deleteWhoami.statusCode()).isEqualTo(405);
    assertThat(call("HEAD", "/reports", token).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/admin", token).statusCode()).isEqualTo(200);
  }

  @Test
  void serve_everyErrorBody_sameShapeAndKeyOrder() throws Exception {
    start("serve", "--port", "0");

    List<String> bodies = List.of(get("/nope", null).body(), call("PUT", "/", null).body(),
        get("/reports", null).body(), get("/reports", "lk_garbage").body());

    for (String body : bodies) {
      JsonNode j = JSON.readTree(body);
      assertThat(j.fieldNames()).toIterable().as(body).containsExactly("error", "message");
    }
    // RFC 6750 §3.1: a request without credentials gets no error code.
    assertThat(JSON.readTree(bodies.get(2)).get("error").isNull()).isTrue();
    assertThat(JSON.readTree(bodies.get(3)).get("error").asText()).isEqualTo("invalid_token");
  }

  @Test
  void serve_validationRecordsUsageWithIntegrationHeader() throws Exception {
    JsonNode reader = cli.issue("acme", "reader");
    start("serve", "--port", "0", "--integration-header", "X-Caller");

    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(started.get().baseUri() + "/whoami"))
        .timeout(CALL_TIMEOUT)
        .header("Authorization", "Bearer " + reader.get("token").asText())
        .header("X-Caller", "nightly-sync")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    started.get().close();
    thread.shutdown();
    assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    JsonNode shown = cli.ok("show", "--json", reader.get("id").asText()).json();
    assertThat(shown.get("lastUsedIntegration").asText()).isEqualTo("nightly-sync");
    assertThat(shown.get("lastUsedIp").asText()).isEqualTo("127.0.0.1");
  }

  @Test
  void serve_exitAfter_stopsByItself() throws Exception {
    Future<CliHarness.Run> run = start("serve", "--port", "0", "--exit-after", "300ms");

    assertThat(run.get(10, TimeUnit.SECONDS).exitCode()).isZero();
  }

  @Test
  void serve_portInUse_usageErrorNamingPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1,
        java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      CliHarness.Run r = cli.run("serve", "--port", String.valueOf(taken.getLocalPort()));

      assertThat(r.exitCode()).isEqualTo(2);
      r.assertOneLineError();
      assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("--port");
    }
  }

  @Test
  void serve_badTrustedProxyOrPort_usageErrorBeforeAnythingStarts() {
    CliHarness.Run cidr = cli.run("serve", "--trusted-proxy", "10.0.0.0/40");
    CliHarness.Run port = cli.run("serve", "--port", "70000");
    CliHarness.Run header = cli.run("serve", "--integration-header", "bad header");

    assertThat(cidr.exitCode()).isEqualTo(2);
    cidr.assertOneLineError();
    assertThat(cidr.err()).contains("--trusted-proxy").contains("10.0.0.0/40")
        .doesNotContain("trustedProxies");
    assertThat(port.exitCode()).isEqualTo(2);
    assertThat(port.err()).contains("--port must be 0 to 65535");
    assertThat(header.exitCode()).isEqualTo(2);
    assertThat(started).isNotDone();
  }

  @Test
  void serve_trustedProxy_forwardedForChecked() throws Exception {
    JsonNode t = cli.issue("acme", "allowlisted", "--allow-ip", "203.0.113.0/24");
    start("serve", "--port", "0", "--trusted-proxy", "127.0.0.0/8");

    HttpResponse<String> viaProxy = http.send(HttpRequest.newBuilder(
            URI.create(started.get().baseUri() + "/whoami"))
        .timeout(CALL_TIMEOUT)
        .header("Authorization", "Bearer " + t.get("token").asText())
        .header("X-Forwarded-For", "203.0.113.9")
        .build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> direct = get("/whoami", t.get("token").asText());

    assertThat(viaProxy.statusCode()).isEqualTo(200);
    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(direct.body()).get("error").asText()).isEqualTo("ip_not_allowed");
  }

  private static final Pattern CURL = Pattern.compile(
      "curl -i(?: -X (\\w+))?(?: -H 'Authorization: Bearer (\\S+)')? (http://\\S+)");

  @Test
  void demo_printsCurlLinesThatBehaveAsAnnounced() throws Exception {
    Future<CliHarness.Run> run = start("demo", "--cache-ttl", "0s");
    String out = cli.liveOut.toString();
    String base = started.get().baseUri().toString();

    Matcher m = CURL.matcher(out);
    int[] expected = {200, 200, 403, 401, 401};
    int i = 0;
    while (m.find()) {
      assertThat(i).as("more curl lines than expected: %s", out).isLessThan(expected.length);
      String url = m.group(3);
      assertThat(url).startsWith(base);
      HttpResponse<String> r = call(m.group(1) == null ? "GET" : m.group(1),
          url.substring(base.length()), m.group(2));
      assertThat(r.statusCode()).as(m.group()).isEqualTo(expected[i++]);
    }
    assertThat(i).as(out).isEqualTo(expected.length);
    assertThat(out).startsWith("Latchkey demo service listening on " + base);
    Matcher disable = Pattern.compile("latchkey disable ([0-9A-Za-z]{16})").matcher(out);
    assertThat(disable.find()).as(out).isTrue();

    cli.ok("disable", disable.group(1));
    Matcher first = CURL.matcher(out);
    assertThat(first.find()).isTrue();
    assertThat(get("/reports", first.group(2)).statusCode()).isEqualTo(401);

    started.get().close();
    CliHarness.Run demo = run.get(10, TimeUnit.SECONDS);
    assertThat(demo.exitCode()).as(demo.err()).isZero();
    assertThat(cli.ok("list", "-w", "demo", "--json").json().get("tokens"))
        .as("demo tokens are deleted when it stops").isEmpty();
  }

  @Test
  void demo_clearsLeftoversOfAHardKilledDemoButNothingElse() throws Exception {
    String leftover = cli.issue("demo", "demo-reader").get("id").asText();
    String unrelated = cli.issue("demo", "demo-reader-of-mine").get("id").asText();

    Future<CliHarness.Run> run = start("demo");
    started.get().close();
    assertThat(run.get(10, TimeUnit.SECONDS).exitCode()).isZero();

    assertThat(cli.run("show", leftover).exitCode()).isEqualTo(3);
    assertThat(cli.run("show", unrelated).exitCode()).isZero();
  }
}
