package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.NewToken;
import io.latchkey.TokenManager;
import io.latchkey.spring.app.TestApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every Latchkey meter in Actuator's metrics endpoint, over real HTTP, and moving: evictions with a
 * cache of two, feed lag from the in-memory store's own feed, validations by result.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "server.address=127.0.0.1",
        "latchkey.store=memory",
        "latchkey.cache-maximum-size=2",
        SecurityHttpTestBase.HASHING_KEY,
        "management.endpoints.web.exposure.include=health,metrics"})
class ActuatorMetricsHttpTest {
  private static final List<String> METERS = List.of("latchkey.validations",
      "latchkey.validation.duration", "latchkey.cache.size", "latchkey.cache.loads",
      "latchkey.cache.evictions", "latchkey.cache.hit.ratio", "latchkey.store.errors",
      "latchkey.feed.resets", "latchkey.feed.lag", "latchkey.usage.flush",
      "latchkey.usage.flush.tokens");
  private static final Pattern COUNT = Pattern.compile(
      "\"statistic\"\\s*:\\s*\"COUNT\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.E]+)");

  @LocalServerPort
  int port;

  @Autowired
  TokenManager tokens;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  private HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private IssuedToken reader(String name) {
    return tokens.issue(NewToken.in("ws-1").name(name).permission("invoices:read", true));
  }

  private double count(String meter, String token) throws Exception {
    HttpResponse<String> r = get("/actuator/metrics/" + meter, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m = COUNT.matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void everyMeterExposed_andMovesWithItsEvent() throws Exception {
    IssuedToken admin = reader("admin");
    HttpResponse<String> names = get("/actuator/metrics", admin.secret());
    assertThat(names.statusCode()).isEqualTo(200);
    for (String meter : METERS) assertThat(names.body()).contains("\"" + meter + "\"");

    double evictedBefore = count("latchkey.cache.evictions?tag=cause:size", admin.secret());
    double lagBefore = count("latchkey.feed.lag", admin.secret());
    double validBefore = count("latchkey.validations?tag=result:valid", admin.secret());
    for (int i = 0; i < 4; i++) {
      assertThat(get("/invoices/" + i, reader("r" + i).secret()).statusCode()).isEqualTo(200);
    }
    tokens.revoke(reader("revoked").id());

    // Four more tokens loaded into a cache of two; each issue and the revocation went through
    // the in-memory store's feed, which carries the change's time.
    assertThat(count("latchkey.cache.evictions?tag=cause:size", admin.secret()))
        .isGreaterThan(evictedBefore);
    assertThat(count("latchkey.feed.lag", admin.secret())).isGreaterThan(lagBefore);
    assertThat(count("latchkey.validations?tag=result:valid", admin.secret()))
        .isGreaterThanOrEqualTo(validBefore + 4);
  }
}
