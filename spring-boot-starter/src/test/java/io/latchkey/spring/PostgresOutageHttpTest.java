package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.spring.app.TestApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The application's PostgreSQL stops: requests get 503, Actuator health goes DOWN. */
class PostgresOutageHttpTest {

  @Test
  void storeStopped_503AndHealthDown() throws Exception {
    EmbeddedPostgres pg = TestPostgres.start();
    try (ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApp.class)
        .properties("server.port=0", "server.address=127.0.0.1",
            "spring.datasource.url=" + TestPostgres.url(pg),
            "spring.datasource.username=postgres",
            "spring.datasource.hikari.connection-timeout=1000",
            "management.endpoint.health.show-details=always",
            "latchkey.store=jdbc", SecurityHttpTestBase.HASHING_KEY)
        .run()) {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      HttpClient http = HttpClient.newHttpClient();
      IssuedToken t = app.getBean(TokenManager.class).issue(NewToken.in("ws-1").name("outage")
          .permission("invoices:read", true));
      HttpResponse<String> up = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/actuator/health/latchkey")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).contains("\"status\":\"UP\"").contains("\"storeReachable\":true")
          .contains("\"feed\":\"SUBSCRIBED\"");

      pg.close();

      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/invoices/1"))
          .header("Authorization", "Bearer " + t.secret()).timeout(Duration.ofSeconds(60))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(r.body()).startsWith("{\"error\":\"temporarily_unavailable\"");
      assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
      HttpResponse<String> down = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/actuator/health/latchkey"))
          .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).contains("\"status\":\"DOWN\"")
          .contains("\"storeReachable\":false");
    } finally {
      pg.close();
    }
  }
}
