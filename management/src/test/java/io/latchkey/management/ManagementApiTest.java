package io.latchkey.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.TokenQuery;
import io.latchkey.management.ApiServer.Reply;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Authorization, isolation, errors, idempotency and the OpenAPI document, over real HTTP.
 * Subclasses run every scenario in one server each ({@link Mount}): {@code JdkManagementApiTest}
 * (the JDK HttpServer) and {@code ServletManagementApiTest} (ManagementServlet in Tomcat).
 */
abstract class ManagementApiTest {
  /** The server the API is mounted in. */
  abstract Mount mount();

  private ApiServer s;

  @AfterEach
  void close() {
    if (s != null) s.close();
  }

  private String create(String admin, String workspace, String name) {
    Reply r = s.call("POST", "/workspaces/" + workspace + "/tokens", admin,
        "{\"name\": \"" + name + "\"}");
    assertThat(r.status()).as(r.json().toString()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  /** What the store holds and what the trail says, to show a refused call changed nothing. */
  private String snapshot(String workspace) {
    return s.latchkey.tokens().list(TokenQuery.in(workspace)).tokens().toString()
        + s.latchkey.tokens().workspaceHistory(workspace, null, 1000).entries();
  }

  static Stream<Arguments> byIdCalls() {
    return Stream.of(
        Arguments.of("GET", "", null),
        Arguments.of("PATCH", "", "{\"name\": \"x\"}"),
        Arguments.of("DELETE", "", null),
        Arguments.of("POST", "/disable", null),
        Arguments.of("POST", "/enable", null),
        Arguments.of("POST", "/revoke", null),
        Arguments.of("POST", "/rotate", null),
        Arguments.of("GET", "/permissions", null),
        Arguments.of("PUT", "/permissions", "{\"a\": true}"),
        Arguments.of("PATCH", "/permissions", "{\"a\": true}"),
        Arguments.of("GET", "/history", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("byIdCalls")
  void anotherWorkspacesToken_isNotFound_andUnchanged(String method, String suffix, String body) {
    s = new ApiServer(Backend.MEMORY, mount());
    String adminA = s.admin("ws-a");
    String theirs = create(s.admin("ws-b"), "ws-b", "theirs");
    String before = snapshot("ws-b");

    Reply viaOwnWorkspace = s.call(method, "/workspaces/ws-a/tokens/" + theirs + suffix, adminA,
        body);
    Reply viaTheirs = s.call(method, "/workspaces/ws-b/tokens/" + theirs + suffix, adminA, body);

    if (suffix.equals("/history")) {
      assertThat(viaOwnWorkspace.status()).isEqualTo(200);
      assertThat(viaOwnWorkspace.json().path("entries")).isEmpty();
    } else {
      assertThat(viaOwnWorkspace.status()).isEqualTo(404);
      assertThat(viaOwnWorkspace.error()).isEqualTo("not_found");
    }
    assertThat(viaTheirs.status()).isEqualTo(403);
    assertThat(snapshot("ws-b")).isEqualTo(before);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void isolation_onEveryBackend(Backend backend) {
    s = new ApiServer(backend, mount());
    String adminA = s.admin("ws-a");
    String theirs = create(s.admin("ws-b"), "ws-b", "theirs");

    assertThat(s.call("POST", "/workspaces/ws-a/tokens/" + theirs + "/revoke", adminA, null)
        .status()).isEqualTo(404);
    assertThat(s.call("GET", "/workspaces/ws-b/tokens", adminA, null).status()).isEqualTo(403);
    assertThat(s.call("POST", "/workspaces/ws-b/tokens", adminA, "{\"name\":\"n\"}").status())
        .isEqualTo(403);
    assertThat(s.call("GET", "/workspaces/ws-b/history", adminA, null).status()).isEqualTo(403);
    String ops = s.admin(ApiServer.OPS);
    assertThat(s.call("GET", "/workspaces/ws-b/tokens/" + theirs, ops, null).status())
        .isEqualTo(200);
  }

  @Test
  void authorization_needsAValidTokenWithThePermission() {
    s = new ApiServer(Backend.MEMORY, mount());
    String reader = s.token("ws-a", "reader", ManagementApi.READ);
    String plain = s.token("ws-a", "plain");

    assertThat(s.call("GET", "/workspaces/ws-a/tokens", null, null).status()).isEqualTo(401);
    assertThat(s.call("GET", "/workspaces/ws-a/tokens", "lk_nonsense", null).error())
        .isEqualTo("unauthenticated");
    assertThat(s.call("GET", "/workspaces/ws-a/tokens", plain, null).status()).isEqualTo(403);
    assertThat(s.call("GET", "/workspaces/ws-a/tokens", reader, null).status()).isEqualTo(200);
    Reply write = s.call("POST", "/workspaces/ws-a/tokens", reader, "{\"name\": \"n\"}");
    assertThat(write.status()).isEqualTo(403);
    assertThat(write.error()).isEqualTo("forbidden");
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("{\"name\": ", 400, "malformed_json", null),
        Arguments.of("not json", 400, "malformed_json", null),
        Arguments.of("{\"name\": \"n\", \"colour\": \"red\"}", 400, "unknown_field", "colour"),
        Arguments.of("{\"name\": 5}", 400, "invalid_type", "name"),
        Arguments.of("{\"name\": \"n\", \"permissions\": {\"a\": \"yes\"}}", 400, "invalid_type",
            "permissions.a"),
        Arguments.of("{\"name\": \"n\", \"allowed_ips\": \"10.0.0.1\"}", 400, "invalid_type",
            "allowed_ips"),
        Arguments.of("{\"name\": \"n\", \"allowed_ips\": [\"10.0.0.300\"]}", 400,
            "invalid_argument", "allowed_ips"),
        Arguments.of("{\"name\": \"n\", \"expires_in\": \"soon\"}", 400, "invalid_type",
            "expires_in"),
        Arguments.of("{\"name\": \"n\", \"expires_in\": 999999999999}", 400, "invalid_argument",
            "expires_in"),
        Arguments.of("{\"name\": \"n\", \"expires_at\": \"tomorrow\"}", 400, "invalid_argument",
            "expires_at"),
        Arguments.of("{\"description\": \"no name\"}", 400, "invalid_argument", "name"),
        Arguments.of("{\"name\": \"n\", \"name\": \"twice\"}", 400, "malformed_json", null),
        Arguments.of("[]", 400, "invalid_type", null),
        Arguments.of("{\"name\": \"" + "x".repeat(20_000) + "\"}", 413, "payload_too_large",
            null));
  }

  @ParameterizedTest(name = "{2} {3}")
  @MethodSource("badBodies")
  void create_badBody_namesTheFieldAndChangesNothing(String body, int status, String code,
      String field) {
    s = new ApiServer(Backend.MEMORY, mount());
    String admin = s.admin("ws-a");
    String before = snapshot("ws-a");

    Reply r = s.call("POST", "/workspaces/ws-a/tokens", admin, body);

    assertThat(r.status()).as(r.json().toString()).isEqualTo(status);
    assertThat(r.error()).isEqualTo(code);
    assertThat(r.field()).isEqualTo(field);
    assertThat(r.json().path("error").path("message").asText()).isNotBlank();
    assertThat(snapshot("ws-a")).isEqualTo(before);
  }

  @Test
  void otherBadInput_answersTheDocumentedStatusAndChangesNothing() {
    s = new ApiServer(Backend.MEMORY, mount());
    String admin = s.admin("ws-a");
    String id = create(admin, "ws-a", "n");
    String path = "/workspaces/ws-a/tokens/" + id;
    s.call("POST", path + "/revoke", admin, null);
    String before = snapshot("ws-a");

    assertThat(s.call("POST", path + "/enable", admin, null).status()).isEqualTo(409);
    assertThat(s.call("POST", path + "/rotate", admin, null).error())
        .isEqualTo("illegal_transition");
    assertThat(s.call("PATCH", path, admin, "{\"allowed_ips\": [\"nope\"]}").field())
        .isEqualTo("allowed_ips");
    assertThat(s.call("PATCH", path, admin, "{\"state\": \"active\"}").field()).isEqualTo("state");
    assertThat(s.call("PUT", path + "/permissions", admin, "{\"a\": 1}").field()).isEqualTo("a");
    assertThat(s.call("GET", "/workspaces/ws-a/tokens/0000000000000000", admin, null).status())
        .isEqualTo(404);
    assertThat(s.call("GET", "/workspaces/ws-a/tokens/not-an-id", admin, null).status())
        .isEqualTo(404);
    assertThat(s.call("GET", "/workspaces/ws-a/tokens?state=sleepy", admin, null).field())
        .isEqualTo("state");
    assertThat(s.call("GET", "/workspaces/ws-a/tokens?limit=x", admin, null).field())
        .isEqualTo("limit");
    assertThat(s.call("GET", "/workspaces/ws-a/history?cursor=%3F", admin, null).field())
        .isEqualTo("cursor");
    assertThat(s.call("PUT", path, admin, "{}").status()).isEqualTo(405);
    assertThat(s.call("GET", "/nowhere", admin, null).status()).isEqualTo(404);
    assertThat(s.call("POST", path + "/revoke", admin, "{\"why\": 1}").status()).isEqualTo(400);
    assertThat(snapshot("ws-a")).isEqualTo(before);
  }

  @Test
  void create_withIdempotencyKey_mintsOneTokenAndShowsThePlaintextOnce() {
    s = new ApiServer(Backend.MEMORY, mount());
    String admin = s.admin("ws-a");
    Map<String, String> key = Map.of("Idempotency-Key", "order-42");

    Reply first = s.call("POST", "/workspaces/ws-a/tokens", admin, "{\"name\": \"n\"}", key);
    Reply retry = s.call("POST", "/workspaces/ws-a/tokens", admin, "{\"name\": \"n\"}", key);
    Reply other = s.call("POST", "/workspaces/ws-a/tokens", admin, "{\"name\": \"m\"}", key);

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().path("secret").asText()).startsWith("lk_");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.headers()).containsEntry("idempotent-replayed", "true");
    assertThat(retry.json().path("id")).isEqualTo(first.json().path("id"));
    assertThat(retry.json().path("secret").isNull()).isTrue();
    assertThat(other.status()).isEqualTo(409);
    assertThat(other.field()).isEqualTo("Idempotency-Key");
    assertThat(s.latchkey.tokens().list(TokenQuery.in("ws-a")).tokens()).hasSize(2); // + admin
  }

  @Test
  void create_oversizedBodyWithoutContentLength_413AndChangesNothing() {
    s = new ApiServer(Backend.MEMORY, mount());
    String admin = s.admin("ws-a");
    String before = snapshot("ws-a");

    Reply r = s.callChunked("POST", "/workspaces/ws-a/tokens", admin,
        ("{\"name\": \"" + "x".repeat(40_000) + "\"}").getBytes(StandardCharsets.UTF_8));

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).isEqualTo("payload_too_large");
    assertThat(snapshot("ws-a")).isEqualTo(before);
  }

  @Test
  void pathSegments_areDecodedOnce_whateverTheServer() {
    s = new ApiServer(Backend.MEMORY, mount());
    String workspace = "eu-1:team@acme.example";
    String admin = s.admin(workspace);

    Reply created = s.call("POST", "/workspaces/eu-1%3Ateam%40acme.example/tokens", admin,
        "{\"name\": \"n\"}");
    Reply read = s.call("GET", "/workspaces/" + workspace + "/tokens/"
        + created.json().path("id").asText() + "/", admin, null);

    assertThat(created.status()).as(created.json().toString()).isEqualTo(201);
    assertThat(created.json().path("workspace").asText()).isEqualTo(workspace);
    assertThat(read.status()).isEqualTo(200);
    assertThat(s.call("GET", "/workspaces/eu-1%253Ateam%2540acme.example/tokens", admin, null)
        .status()).isEqualTo(403); // %25 is a literal '%': another workspace, not this one
  }

  @Test
  void idempotencyKey_isForgottenAfterTheWindow_andOldestFirstBeyondTheCapacity() {
    MovableClock clock = new MovableClock();
    s = new ApiServer(Backend.MEMORY, mount(), b -> b.clock(clock)
        .idempotencyWindow(Duration.ofMinutes(10)).idempotencyCapacity(2));
    String admin = s.admin("ws-a");
    String body = "{\"name\": \"n\"}";
    Map<String, String> a = Map.of("Idempotency-Key", "a");

    Reply first = s.call("POST", "/workspaces/ws-a/tokens", admin, body, a);
    clock.advance(Duration.ofMinutes(9));
    Reply withinWindow = s.call("POST", "/workspaces/ws-a/tokens", admin, body, a);
    clock.advance(Duration.ofMinutes(2));
    Reply afterWindow = s.call("POST", "/workspaces/ws-a/tokens", admin, body, a);
    s.call("POST", "/workspaces/ws-a/tokens", admin, body, Map.of("Idempotency-Key", "b"));
    s.call("POST", "/workspaces/ws-a/tokens", admin, body, Map.of("Idempotency-Key", "c"));
    Reply beyondCapacity = s.call("POST", "/workspaces/ws-a/tokens", admin, body, a);
    Reply keptC = s.call("POST", "/workspaces/ws-a/tokens", admin, body,
        Map.of("Idempotency-Key", "c"));

    assertThat(first.status()).isEqualTo(201);
    assertThat(withinWindow.status()).isEqualTo(200);
    assertThat(withinWindow.json().path("id")).isEqualTo(first.json().path("id"));
    assertThat(afterWindow.status()).isEqualTo(201);
    assertThat(afterWindow.json().path("id")).isNotEqualTo(first.json().path("id"));
    assertThat(beyondCapacity.status()).isEqualTo(201); // "a" was the oldest of a, b, c
    assertThat(keptC.status()).isEqualTo(200);
  }

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void verify_answersTheDecisionAndReason() {
    s = new ApiServer(Backend.MEMORY, mount());
    String token = s.token("ws-a", "svc", "orders:read");

    Reply ok = s.call("POST", "/verify", null,
        "{\"token\": \"" + token + "\", \"permissions\": [\"orders:read\"]}");
    Reply denied = s.call("POST", "/verify", null,
        "{\"token\": \"" + token + "\", \"permissions\": [\"orders:write\"]}");
    Reply malformed = s.call("POST", "/verify", null, "{\"token\": \"garbage\"}");

    assertThat(ok.json().path("valid").asBoolean()).isTrue();
    assertThat(ok.json().path("workspace").asText()).isEqualTo("ws-a");
    assertThat(denied.json().path("code").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(denied.json().path("status").asInt()).isEqualTo(403);
    assertThat(malformed.json().path("code").asText()).isEqualTo("MALFORMED");
    assertThat(s.call("POST", "/verify", null, "{}").field()).isEqualTo("token");
  }

  @Test
  void openApiDocument_listsExactlyTheRoutes() throws Exception {
    s = new ApiServer(Backend.MEMORY, mount());
    Reply served = s.call("GET", "/openapi.json", null, null);
    assertThat(served.status()).isEqualTo(200);
    assertThat(served.json().path("openapi").asText()).isEqualTo("3.1.0");

    List<String> documented = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> paths = served.json().path("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> p = paths.next();
      p.getValue().fieldNames().forEachRemaining(
          m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey()));
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(ManagementApi.routes());
    try (InputStream in = ManagementApi.class.getResourceAsStream("openapi.json")) {
      assertThat(new ObjectMapper().readTree(in)).isEqualTo(served.json());
    }
  }
}
