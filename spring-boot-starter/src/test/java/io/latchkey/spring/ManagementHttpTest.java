package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.TokenQuery;
import io.latchkey.management.ManagementApi;
import io.latchkey.spring.app.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The management API served by the starter ({@code latchkey.management.enabled=true}) in a real
 * application on a random port, over real HTTP, next to the application's own Spring Security
 * chain ({@link TestApp}: every other request must be authenticated, with Latchkey tokens).
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "server.address=127.0.0.1",
        "spring.datasource.url=jdbc:h2:mem:starter-management;DB_CLOSE_DELAY=-1",
        "latchkey.store=jdbc",
        SecurityHttpTestBase.HASHING_KEY,
        "latchkey.management.enabled=true",
        "latchkey.management.path=/admin/latchkey",
        "latchkey.management.operator-workspace=ops",
        "latchkey.management.max-body-size=4KB"})
class ManagementHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort
  int port;

  @Autowired
  TokenManager tokens;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  record Reply(int status, JsonNode json, HttpResponse<String> raw) {
    String error() {
      return json.path("error").path("code").asText(null);
    }
  }

  private Reply call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).method(method, body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() || !r.body().startsWith("{") ? JSON.nullNode()
        : JSON.readTree(r.body());
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    return new Reply(r.statusCode(), json, r);
  }

  private String admin(String workspace) {
    return tokens.issue(NewToken.in(workspace).name("admin")
        .permission(ManagementApi.READ, true).permission(ManagementApi.WRITE, true)).secret();
  }

  @Test
  void openApiAndVerify_needNoToken_whileTheApplicationsOwnRoutesStayProtected()
      throws Exception {
    IssuedToken service = tokens.issue(NewToken.in("ws-v").name("svc")
        .permission("invoices:read", true));

    Reply openApi = call("GET", "/admin/latchkey/openapi.json", null, null);
    // A POST without a token or CSRF token: the application's chain would refuse it.
    Reply verify = call("POST", "/admin/latchkey/verify", null,
        "{\"token\": \"" + service.secret() + "\", \"permissions\": [\"invoices:read\"]}");
    Reply appRoute = call("GET", "/invoices/1", null, null);

    assertThat(openApi.status()).isEqualTo(200);
    assertThat(openApi.json().path("openapi").asText()).isEqualTo("3.1.0");
    // Spring Security's default headers still apply to the management path.
    assertThat(openApi.raw().headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(verify.status()).isEqualTo(200);
    assertThat(verify.json().path("valid").asBoolean()).isTrue();
    assertThat(appRoute.status()).isEqualTo(401);
    assertThat(appRoute.raw().headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\"");
  }

  @Test
  void createUseAndRevoke_aTokenTheApplicationAccepts() throws Exception {
    String admin = admin("ws-1");

    Reply created = call("POST", "/admin/latchkey/workspaces/ws-1/tokens", admin,
        "{\"name\": \"billing\", \"permissions\": {\"invoices:read\": true}}");
    String id = created.json().path("id").asText();
    String secret = created.json().path("secret").asText();
    Reply listed = call("GET", "/admin/latchkey/workspaces/ws-1/tokens?name_contains=bill", admin,
        null);
    int before = call("GET", "/invoices/7", secret, null).status();
    Reply revoked = call("POST", "/admin/latchkey/workspaces/ws-1/tokens/" + id + "/revoke",
        admin, null);
    int after = call("GET", "/invoices/7", secret, null).status();
    Reply history = call("GET", "/admin/latchkey/workspaces/ws-1/tokens/" + id + "/history",
        admin, null);

    assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
    assertThat(created.json().path("created_by").asText()).startsWith("token:").endsWith("admin");
    assertThat(listed.json().path("tokens")).singleElement()
        .satisfies(t -> assertThat(t.path("id").asText()).isEqualTo(id));
    assertThat(before).isEqualTo(200);
    assertThat(revoked.json().path("state").asText()).isEqualTo("revoked");
    assertThat(after).isEqualTo(401); // the very next request of the application sees it
    assertThat(history.json().path("entries").findValuesAsText("action"))
        .containsExactly("REVOKED", "ISSUED");
  }

  @Test
  void callers_areAuthenticatedByTheApi_withItsOwnAnswers_andWorkspacesIsolated()
      throws Exception {
    String adminA = admin("ws-a");
    String adminB = admin("ws-b");
    String ops = admin("ops");
    String plain = tokens.issue(NewToken.in("ws-a").name("plain")).secret();
    String theirs = call("POST", "/admin/latchkey/workspaces/ws-b/tokens", adminB,
        "{\"name\": \"theirs\"}").json().path("id").asText();

    Reply none = call("GET", "/admin/latchkey/workspaces/ws-a/tokens", null, null);
    Reply bogus = call("GET", "/admin/latchkey/workspaces/ws-a/tokens", "acme_bogus", null);
    Reply lacking = call("GET", "/admin/latchkey/workspaces/ws-a/tokens", plain, null);
    Reply otherList = call("GET", "/admin/latchkey/workspaces/ws-b/tokens", adminA, null);
    Reply otherById = call("POST", "/admin/latchkey/workspaces/ws-a/tokens/" + theirs
        + "/revoke", adminA, null);
    Reply operator = call("GET", "/admin/latchkey/workspaces/ws-b/tokens/" + theirs, ops, null);

    // The API's error shape, not the application chain's RFC 6750 body: one authentication.
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.error()).isEqualTo("unauthenticated");
    assertThat(bogus.status()).isEqualTo(401);
    assertThat(bogus.error()).isEqualTo("unauthenticated");
    assertThat(lacking.status()).isEqualTo(403);
    assertThat(lacking.error()).isEqualTo("forbidden");
    assertThat(otherList.status()).isEqualTo(403);
    assertThat(otherById.status()).isEqualTo(404);
    assertThat(operator.status()).isEqualTo(200);
    assertThat(operator.json().path("state").asText()).isEqualTo("active");
  }

  @Test
  void badInput_documentedStatusAndField_storeUnchanged() throws Exception {
    String admin = admin("ws-bad");
    String before = tokens.list(TokenQuery.in("ws-bad")).tokens().toString();

    Reply malformed = call("POST", "/admin/latchkey/workspaces/ws-bad/tokens", admin, "{\"name\":");
    Reply unknown = call("POST", "/admin/latchkey/workspaces/ws-bad/tokens", admin,
        "{\"name\": \"n\", \"colour\": \"red\"}");
    Reply badIp = call("POST", "/admin/latchkey/workspaces/ws-bad/tokens", admin,
        "{\"name\": \"n\", \"allowed_ips\": [\"10.0.0.300\"]}");
    Reply huge = call("POST", "/admin/latchkey/workspaces/ws-bad/tokens", admin,
        "{\"name\": \"" + "x".repeat(5000) + "\"}");
    Reply noRoute = call("GET", "/admin/latchkey/nowhere", admin, null);

    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.error()).isEqualTo("malformed_json");
    assertThat(unknown.json().path("error").path("field").asText()).isEqualTo("colour");
    assertThat(badIp.json().path("error").path("field").asText()).isEqualTo("allowed_ips");
    assertThat(huge.status()).isEqualTo(413); // latchkey.management.max-body-size=4KB
    assertThat(huge.error()).isEqualTo("payload_too_large");
    assertThat(noRoute.status()).isEqualTo(404);
    assertThat(noRoute.error()).isEqualTo("not_found");
    assertThat(tokens.list(TokenQuery.in("ws-bad")).tokens().toString()).isEqualTo(before);
  }
}
