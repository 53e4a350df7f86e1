package io.latchkey.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.Token;
import io.latchkey.TokenManager;
import io.latchkey.TokenPrincipal;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.testkit.MutableClock;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.SecurityContext;
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
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The filter on a real Jersey (servlet container in embedded Tomcat), over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class) // the store outage runs last
class LatchkeyContainerFilterJerseyTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private Server h2;
  private JdbcTokenStore store;
  private Latchkey latchkey;
  private TokenManager tokens;
  private Tomcat tomcat;
  private String base;

  @jakarta.ws.rs.Path("/invoices")
  @RequiresPermission("invoices:read")
  public static class Invoices {
    @GET
    @jakarta.ws.rs.Path("{id}")
    public String get(@PathParam("id") String id, @jakarta.ws.rs.core.Context SecurityContext sc,
        @jakarta.ws.rs.core.Context ContainerRequestContext request) {
      TokenPrincipal p = (TokenPrincipal) sc.getUserPrincipal();
      Token t = (Token) request.getProperty(LatchkeyContainerFilter.TOKEN_PROPERTY);
      return "invoice=" + id + " id=" + p.getName() + " workspace=" + p.workspace() + " name="
          + p.tokenName() + " property=" + t.id() + " scheme=" + sc.getAuthenticationScheme()
          + " read=" + sc.isUserInRole("invoices:read") + " write="
          + sc.isUserInRole("invoices:write");
    }

    @POST
    @RequiresPermission("invoices:write")
    public String create() {
      return "created";
    }
  }

  @jakarta.ws.rs.Path("/public")
  public static class Open {
    @GET
    public String get() {
      return "open";
    }
  }

  /** The host's adapter: Jakarta REST has no portable peer address; a servlet runtime has one. */
  @PreMatching
  @Priority(Priorities.AUTHENTICATION - 100)
  public static class PeerAddress implements ContainerRequestFilter {
    @jakarta.ws.rs.core.Context
    HttpServletRequest servletRequest;

    @Override
    public void filter(ContainerRequestContext request) {
      request.setProperty(LatchkeyContainerFilter.REMOTE_ADDRESS_PROPERTY,
          servletRequest.getRemoteAddr());
    }
  }

  @BeforeAll
  void start() throws Exception {
    int h2Port;
    try (ServerSocket s = new ServerSocket(0)) {
      h2Port = s.getLocalPort();
    }
    h2 = Server.createTcpServer("-tcpPort", Integer.toString(h2Port), "-ifNotExists").start();
    store = JdbcTokenStore.builder()
        .jdbcUrl("jdbc:h2:tcp://127.0.0.1:" + h2Port + "/mem:jaxrs;DB_CLOSE_DELAY=-1")
        .connectionTimeout(Duration.ofSeconds(2)).queryTimeout(Duration.ofSeconds(2)).build();
    latchkey = Latchkey.builder().store(store).tokenPrefix("acme").clock(clock)
        .hashingKey(HashingKey.generate("k1")).build();
    tokens = latchkey.tokens().as("test");
    RequestAuthenticator authenticator = RequestAuthenticator.builder()
        .validator(latchkey.validator()).trustedProxies("127.0.0.1").build();

    ResourceConfig app = new ResourceConfig()
        .register(Invoices.class).register(Open.class).register(PeerAddress.class)
        .register(LatchkeyContainerFilter.builder(authenticator).build());

    Path baseDir = Files.createTempDirectory("latchkey-jersey");
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    org.apache.catalina.Context context = tomcat.addContext("", baseDir.toString());
    Tomcat.addServlet(context, "jersey", new ServletContainer(app));
    context.addServletMappingDecoded("/*", "jersey");
    tomcat.start();
    base = "http://127.0.0.1:" + connector.getLocalPort();
  }

  @AfterAll
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    latchkey.close();
    store.close();
    h2.stop();
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
  void valid_200_principalAndRolesVisibleToResource() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("billing")
        .permission("invoices:read", true).permission("invoices:write", false));

    HttpResponse<String> r = get("/invoices/42", t.secret());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("invoice=42 id=" + t.id().value()
        + " workspace=ws-1 name=billing property=" + t.id()
        + " scheme=Bearer read=true write=false");
    assertNoSession(r);
  }

  @Test
  void wrongPermission_403InsufficientScope_classAndMethodBothRequired() throws Exception {
    IssuedToken reader = tokens.issue(NewToken.in("ws-1").name("reader")
        .permission("invoices:read", true).permission("invoices:write", false));
    IssuedToken writerOnly = tokens.issue(NewToken.in("ws-1").name("writer")
        .permission("invoices:write", true));
    IssuedToken both = tokens.issue(NewToken.in("ws-1").name("both")
        .permission("invoices:write", true).permission("invoices:read", true));

    HttpResponse<String> r = call("POST", "/invoices", "Authorization", "Bearer " + reader.secret());

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\", "
        + "error=\"insufficient_scope\", scope=\"invoices:read invoices:write\"");
    assertThat(r.body()).startsWith("{\"error\":\"insufficient_scope\"");
    assertThat(call("POST", "/invoices", "Authorization", "Bearer " + writerOnly.secret())
        .statusCode()).isEqualTo(403);
    assertThat(call("POST", "/invoices", "Authorization", "Bearer " + both.secret())
        .statusCode()).isEqualTo(200);
  }

  @Test
  void unknownRevokedExpiredDisabled_identical401() throws Exception {
    IssuedToken revoked = tokens.issue(NewToken.in("ws-1").name("r")
        .permission("invoices:read", true));
    IssuedToken disabled = tokens.issue(NewToken.in("ws-1").name("d")
        .permission("invoices:read", true));
    IssuedToken expired = tokens.issue(NewToken.in("ws-1").name("e")
        .permission("invoices:read", true).expiresIn(Duration.ofHours(1)));
    IssuedToken deleted = tokens.issue(NewToken.in("ws-1").name("u")
        .permission("invoices:read", true));
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
        assertThat(r.headers().allValues("WWW-Authenticate"))
            .isEqualTo(first.headers().allValues("WWW-Authenticate"));
        assertNoSession(r);
      }
    } finally {
      clock.advance(Duration.ofHours(-2));
    }
  }

  @Test
  void noToken_401_unannotatedResourceOpen() throws Exception {
    HttpResponse<String> r = call("GET", "/invoices/1");

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
    assertThat(call("GET", "/public").body()).isEqualTo("open");
  }

  @Test
  void ipNotAllowed_403_unlessTrustedProxyForwardsAllowedClient() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("ip").permission("invoices:read", true)
        .allowIp("203.0.113.0/24"));

    HttpResponse<String> direct = get("/invoices/1", t.secret());
    HttpResponse<String> forwarded = get("/invoices/1", t.secret(),
        "X-Forwarded-For", "203.0.113.9");

    assertThat(direct.statusCode()).isEqualTo(403);
    assertThat(direct.body()).startsWith("{\"error\":\"ip_not_allowed\"");
    assertThat(forwarded.statusCode()).isEqualTo(200);
  }

  @Test
  void revokeAndPermissionChange_seenByVeryNextRequest() throws Exception {
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("live")
        .permission("invoices:read", true));
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
    IssuedToken t = tokens.issue(NewToken.in("ws-1").name("outage")
        .permission("invoices:read", true));
    // Earlier tests' usage is written first: Latchkey.close() in stop() would otherwise report it
    // lost (IllegalStateException), which is its documented answer but not what this test is about.
    latchkey.flushUsage();
    h2.stop();

    HttpResponse<String> r = get("/invoices/1", t.secret());

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.body()).startsWith("{\"error\":\"temporarily_unavailable\"");
  }
}
