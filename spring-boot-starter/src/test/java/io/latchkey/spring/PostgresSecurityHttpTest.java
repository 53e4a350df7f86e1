package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.TokenManager;
import io.latchkey.spring.app.TestApp;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** On real PostgreSQL through the application's DataSource, with its LISTEN/NOTIFY feed. */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "server.address=127.0.0.1",
        "latchkey.store=jdbc",
        "latchkey.token-prefix=acme",
        "latchkey.jdbc.table-prefix=pgtest_",
        // Long enough that only the change feed can explain another instance seeing a change.
        "latchkey.cache-ttl=10m",
        SecurityHttpTestBase.HASHING_KEY,
        "latchkey.http.trusted-proxies=127.0.0.1"})
class PostgresSecurityHttpTest extends SecurityHttpTestBase {
  /** The change feed's bound asserted here, generous for a loaded machine. */
  static final Duration FEED_BOUND = Duration.ofSeconds(10);

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestPostgres.url(TestPostgres.shared()));
    registry.add("spring.datasource.username", () -> "postgres");
  }

  @Test
  void secondInstance_seesRevocationByFirst_withinFeedBound() throws Exception {
    try (ConfigurableApplicationContext second = new SpringApplicationBuilder(TestApp.class)
        .properties("server.port=0", "server.address=127.0.0.1",
            "spring.datasource.url=" + TestPostgres.url(TestPostgres.shared()),
            "spring.datasource.username=postgres",
            "latchkey.store=jdbc", "latchkey.token-prefix=acme",
            "latchkey.jdbc.table-prefix=pgtest_", "latchkey.cache-ttl=10m",
            HASHING_KEY)
        .run()) {
      int secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
      SecurityHttpTestBase other = new SecurityHttpTestBase() {};
      other.port = secondPort;
      IssuedToken t = reader("shared");
      assertThat(other.get("/invoices/1", t.secret()).statusCode()).isEqualTo(200);

      tokens.revoke(t.id());

      long start = System.nanoTime();
      HttpResponse<String> r;
      do {
        r = other.get("/invoices/1", t.secret());
        if (r.statusCode() == 401) break;
        Thread.sleep(20);
      } while (System.nanoTime() - start < FEED_BOUND.toNanos());
      assertThat(r.statusCode()).isEqualTo(401);
      // And the other way round: a change made on the second reaches the first.
      IssuedToken u = second.getBean(TokenManager.class).issue(
          io.latchkey.NewToken.in("ws-1").name("from-second").permission("invoices:read", true));
      assertThat(get("/invoices/1", u.secret()).statusCode()).isEqualTo(200);
      second.getBean(TokenManager.class).disable(u.id());
      start = System.nanoTime();
      do {
        r = get("/invoices/1", u.secret());
        if (r.statusCode() == 401) break;
        Thread.sleep(20);
      } while (System.nanoTime() - start < FEED_BOUND.toNanos());
      assertThat(r.statusCode()).isEqualTo(401);
    }
  }
}
