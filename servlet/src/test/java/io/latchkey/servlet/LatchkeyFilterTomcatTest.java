package io.latchkey.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import io.latchkey.TokenPrincipal;
import io.latchkey.TokenManager;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.testkit.MutableClock;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter inside a real Tomcat on a random loopback port, called over real HTTP, over a real
 * H2 database served on TCP (so "store stopped" stops a server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class) // the store outage runs last
class LatchkeyFilterTomcatTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private Server h2;
  private JdbcTokenStore store;
  private Latchkey latchkey;
  private TokenManager tokens;
  private Tomcat tomcat;
  private String base;

  @BeforeAll
  void start() throws Exception {
    int h2Port;
    try (ServerSocket s = new ServerSocket(0)) {
      h2Port = s.getLocalPort();
    }
    h2 = Server.createTcpServer("-tcpPort", Integer.toString(h2Port), "-ifNotExists").start();
    store = JdbcTokenStore.builder()
        .jdbcUrl("jdbc:h2:tcp://127.0.0.1:" + h2Port + "/mem:servlet;DB_CLOSE_DELAY=-1")
        .connectionTimeout(Duration.ofSeconds(2)).queryTimeout(Duration.ofSeconds(2)).build();
    latchkey = Latchkey.builder().store(store).tokenPrefix("acme").clock(clock)
        .hashingKey(HashingKey.generate("k1")).build();
    tokens = latchkey.tokens().as("test");

    RequestAuthenticator authenticator = RequestAuthenticator.builder()
        .validator(latchkey.validator())
        .trustedProxies("127.0.0.1")
        .build();
    LatchkeyFilter filter = LatchkeyFilter.builder(authenticator)
        .require("GET", "/invoices/**", "invoices:read")
        .require("*", "/invoices/**", "invoices:write")
        .build();

    Path baseDir = Files.createTempDirectory("latchkey-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    Tomcat.addServlet(context, "echo", new EchoServlet());
    context.addServletMappingDecoded("/*", "echo");
    // A framework that knows a route's permissions hands them over in a request attribute.
    addFilter(context, "framework", (req, res, chain) -> {
      if (((HttpServletRequest) req).getRequestURI().startsWith("/reports")) {
        req.setAttribute(LatchkeyFilter.REQUIRED_PERMISSIONS_ATTRIBUTE, List.of("reports:read"));
      }
      chain.doFilter(req, res);
    });
    addFilter(context, "latchkey", filter);
    tomcat.start();
    base = "http://127.0.0.1:" + connector.getLocalPort();
  }

  private static void addFilter(Context context, String name, Filter filter) {
    FilterDef def = new FilterDef();
    def.setFilterName(name);
    def.setFilter(filter);
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName(name);
    map.addURLPattern("/*");
    context.addFilterMap(map);
  }

  @AfterAll
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    latchkey.close();
    store.close();
    h2.stop();
  }

  /** Shows what the handler sees. */
  static final class EchoServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      TokenPrincipal p = (TokenPrincipal) req.getUserPrincipal();
      Token t = (Token) req.getAttribute(LatchkeyFilter.TOKEN_ATTRIBUTE);
      res.setContentType("text/plain");
      res.getWriter().print("id=" + p.getName() + " workspace=" + p.workspace() + " name="
          + p.tokenName() + " attr=" + t.id() + " remoteUser=" + req.getRemoteUser()
          + " authType=" + req.getAuthType() + " write=" + req.isUserInRole("invoices:write")
          + " read=" + req.isUserInRole("invoices:read"));
    }
  }

  private IssuedToken issue(NewToken spec) {
    return tokens.issue(spec);
  }

  private HttpResponse<String> call(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) b.headers(headers);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token, String... more) throws Exception {
    String[] headers = new String[more.length + 2];
    headers[0] = "Authorization";
    headers[1] = "Bearer " + token;
    System.arraycopy(more, 0, headers, 2, more.length);
    return call("GET", path, headers);
  }

  private static void assertNoSession(HttpResponse<String> r) {
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
  }

  @Test
  void valid_200_principalAndAttributeVisibleToHandler() throws Exception {
    IssuedToken t = issue(NewToken.in("ws-1").name("billing")
        .permission("invoices:read", true).permission("invoices:write", false));

    HttpResponse<String> r = get("/invoices/42", t.secret());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("id=" + t.id().value() + " workspace=ws-1 name=billing attr="
        + t.id() + " remoteUser=" + t.id().value() + " authType=Bearer write=false read=true");
    assertNoSession(r);
  }

  @Test
  void wrongPermission_403InsufficientScope_denyIsNotAGrant() throws Exception {
    IssuedToken t = issue(NewToken.in("ws-1").name("reader")
        .permission("invoices:read", true).permission("invoices:write", false));

    HttpResponse<String> r = call("POST", "/invoices/42", "Authorization", "Bearer " + t.secret());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue(
        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"invoices:write\"");
    assertThat(r.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/json");
    assertThat(r.body()).contains("\"error\":\"insufficient_scope\"");
    assertNoSession(r);
  }

  @Test
  void permissionFromRequestAttribute_enforced() throws Exception {
    IssuedToken without = issue(NewToken.in("ws-1").name("a").permission("invoices:read", true));
    IssuedToken with = issue(NewToken.in("ws-1").name("b").permission("reports:read", true));

    assertThat(get("/reports/q1", without.secret()).statusCode()).isEqualTo(403);
    assertThat(get("/reports/q1", with.secret()).statusCode()).isEqualTo(200);
    assertThat(get("/other", without.secret()).statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRevokedExpiredDisabled_identical401() throws Exception {
    IssuedToken revoked = issue(NewToken.in("ws-1").name("r").permission("invoices:read", true));
    IssuedToken disabled = issue(NewToken.in("ws-1").name("d").permission("invoices:read", true));
    IssuedToken expired = issue(NewToken.in("ws-1").name("e").permission("invoices:read", true)
        .expiresIn(Duration.ofHours(1)));
    IssuedToken deleted = issue(NewToken.in("ws-1").name("u").permission("invoices:read", true));
    assertThat(get("/invoices/1", expired.secret()).statusCode()).isEqualTo(200);
    tokens.revoke(revoked.id());
    tokens.disable(disabled.id());
    tokens.delete(deleted.id());
    clock.advance(Duration.ofHours(2));
    try {
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
        assertThat(r.headers().map()).containsEntry("www-authenticate",
            first.headers().allValues("www-authenticate"));
        assertNoSession(r);
      }
    } finally {
      clock.advance(Duration.ofHours(-2));
    }
  }

  @Test
  void noCredentials_401ChallengeWithoutError() throws Exception {
    HttpResponse<String> r = call("GET", "/invoices/1");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
    assertNoSession(r);
  }

  @Test
  void ipNotAllowed_403_unlessTrustedProxyForwardsAllowedClient() throws Exception {
    IssuedToken t = issue(NewToken.in("ws-1").name("ip").permission("invoices:read", true)
        .allowIp("203.0.113.0/24"));

    HttpResponse<String> direct = get("/invoices/1", t.secret());
    HttpResponse<String> forwarded = get("/invoices/1", t.secret(),
        "X-Forwarded-For", "198.51.100.7, 203.0.113.9");

    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(direct.body()).contains("\"error\":\"ip_not_allowed\"");
    assertThat(forwarded.statusCode()).isEqualTo(200);
  }

  @Test
  void revokeAndPermissionChange_seenByVeryNextRequest() throws Exception {
    IssuedToken t = issue(NewToken.in("ws-1").name("live").permission("invoices:read", true));
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(200);

    tokens.setPermissions(t.id(), Map.of("invoices:read", false));
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(403);
    tokens.setPermissions(t.id(), Map.of("invoices:read", true));
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(200);
    tokens.revoke(t.id());
    assertThat(get("/invoices/1", t.secret()).statusCode()).isEqualTo(401);
  }

  @Test
  void zStoreStopped_503WithRetryAfter() throws Exception {
    IssuedToken t = issue(NewToken.in("ws-1").name("outage").permission("invoices:read", true));
    // Earlier tests' usage is written first: Latchkey.close() in stop() would otherwise report it
    // lost (IllegalStateException), which is its documented answer but not what this test is about.
    latchkey.flushUsage();
    h2.stop();

    HttpResponse<String> r = get("/invoices/1", t.secret());

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.body()).contains("\"error\":\"temporarily_unavailable\"");
  }
}
