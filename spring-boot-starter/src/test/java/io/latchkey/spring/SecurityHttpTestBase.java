package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Spring Security integration in a real application on a random port, called over real HTTP.
 * Subclasses run it on one store each.
 */
abstract class SecurityHttpTestBase {
  static final String HASHING_KEY = "latchkey.hashing-keys.k1="
      + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0wMQ==";

  @LocalServerPort
  int port;

  @Autowired
  TokenManager tokens;

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  HttpResponse<String> call(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String token, String... more) throws Exception {
    String[] headers = new String[more.length + 2];
    headers[0] = "Authorization";
    headers[1] = "Bearer " + token;
    System.arraycopy(more, 0, headers, 2, more.length);
    return call("GET", path, headers);
  }

  static void assertStateless(HttpResponse<String> r) {
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
  }

  IssuedToken reader(String name) {
    return tokens.issue(NewToken.in("ws-1").name(name).permission("invoices:read", true)
        .permission("reports:write", false));
  }

  @Test
  void valid_200_principalVisibleToHandler_noSession() throws Exception {
    IssuedToken t = reader("billing");

    HttpResponse<String> r = get("/invoices/42", t.secret());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("invoice=42 id=" + t.id().value()
        + " workspace=ws-1 name=billing servletPrincipal=" + t.id().value() + " session=false");
    assertStateless(r);
  }

  @Test
  void requestMatcherAuthority_missing_403InsufficientScope() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("other").permission("other", true)
        .permission("invoices:read", false));

    HttpResponse<String> r = get("/invoices/42", t.secret());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\", error=\"insufficient_scope\"");
    assertThat(r.body()).startsWith("{\"error\":\"insufficient_scope\"");
    assertStateless(r);
  }

  @Test
  void preAuthorize_explicitDenyIsNoAuthority_403_grantPasses() throws Exception {
    IssuedToken denied = reader("denied");
    IssuedToken writer = tokens.issue(NewToken.in("ws-1").name("w")
        .permission("reports:write", true));

    HttpResponse<String> refused = call("POST", "/reports",
        "Authorization", "Bearer " + denied.secret());
    HttpResponse<String> allowed = call("POST", "/reports",
        "Authorization", "Bearer " + writer.secret());

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).startsWith("{\"error\":\"insufficient_scope\"");
    // A POST with a token needs no CSRF token: the header is not sent by browsers on their own.
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.body()).isEqualTo("report written");
  }

  @Test
  void unknownRevokedExpiredDisabled_identical401() throws Exception {
    IssuedToken revoked = reader("r");
    IssuedToken disabled = reader("d");
    IssuedToken deleted = reader("u");
    IssuedToken expired = tokens.issue(NewToken.in("ws-1").name("e")
        .permission("invoices:read", true).expiresIn(Duration.ofMillis(300)));
    tokens.revoke(revoked.id());
    tokens.disable(disabled.id());
    tokens.delete(deleted.id());
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (get("/invoices/1", expired.secret()).statusCode() != 401) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(50);
    }

    List<HttpResponse<String>> answers = List.of(get("/invoices/1", revoked.secret()),
        get("/invoices/1", disabled.secret()), get("/invoices/1", expired.secret()),
        get("/invoices/1", deleted.secret()));

    HttpResponse<String> first = answers.get(0);
    assertThat(first.statusCode()).isEqualTo(401);
    assertThat(first.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\", error=\"invalid_token\"");
    for (HttpResponse<String> r : answers) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.body()).isEqualTo(first.body());
      assertThat(r.headers().allValues("WWW-Authenticate"))
          .isEqualTo(first.headers().allValues("WWW-Authenticate"));
      assertStateless(r);
    }
  }

  @Test
  void noToken_protected401WithoutError_publicOpen() throws Exception {
    HttpResponse<String> r = call("GET", "/invoices/1");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
    // RFC 6750 §3.1: no error code without credentials (RequestAuthenticator writes null).
    assertThat(r.body()).startsWith("{\"error\":null,\"message\":");
    assertStateless(r);
    assertThat(call("GET", "/public").body()).isEqualTo("open");
  }

  @Test
  void ipNotAllowed_403_trustedProxyForwardsAllowedClient() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("ip")
        .permission("invoices:read", true).allowIp("203.0.113.0/24"));

    HttpResponse<String> direct = get("/invoices/1", t.secret());
    HttpResponse<String> forwarded = get("/invoices/1", t.secret(),
        "X-Forwarded-For", "203.0.113.9");

    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(direct.body()).startsWith("{\"error\":\"ip_not_allowed\"");
    assertThat(forwarded.statusCode()).isEqualTo(200);
  }

  @Test
  void revokeAndPermissionChange_seenByVeryNextRequest() throws Exception {
    IssuedToken t = reader("live");
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(200);

    tokens.setPermissions(t.id(), Map.of("invoices:read", false));
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(403);
    tokens.setPermissions(t.id(), Map.of("invoices:read", true));
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(200);
    tokens.revoke(t.id());
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(401);
  }
}
