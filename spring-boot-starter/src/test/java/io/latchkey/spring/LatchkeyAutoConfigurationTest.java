package io.latchkey.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.HttpRequestView;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.MetricsRecorder;
import io.latchkey.micrometer.LatchkeyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.latchkey.NewToken;
import io.latchkey.RequestAuthenticator;
import io.latchkey.TokenManager;
import io.latchkey.TokenValidator;
import io.latchkey.ValidationResult;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.assertj.core.api.AbstractThrowableAssert;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import redis.embedded.RedisServer;

class LatchkeyAutoConfigurationTest {
  private static final String KEY = SecurityHttpTestBase.HASHING_KEY;
  private static final String KEY2 = "latchkey.hashing-keys.k2="
      + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0wMg==";
  /** Key k1 of {@link #KEY}, configured as retiring. */
  private static final String RETIRING_K1 = "latchkey.retiring-hashing-keys.k1="
      + KEY.substring(KEY.indexOf('=') + 1);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
          LatchkeySecurityAutoConfiguration.class, LatchkeyHealthAutoConfiguration.class));

  private static AbstractThrowableAssert<?, ? extends Throwable> failure(
      AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable t = context.getStartupFailure();
    StringBuilder messages = new StringBuilder();
    for (; t != null; t = t.getCause()) messages.append(t.getMessage()).append('\n');
    return assertThat(new IllegalStateException(messages.toString()));
  }

  @Test
  void memory_allBeans() {
    runner.withPropertyValues("latchkey.store=memory", KEY).run(context -> {
      assertThat(context).hasSingleBean(Latchkey.class).hasSingleBean(TokenManager.class)
          .hasSingleBean(TokenValidator.class).hasSingleBean(RequestAuthenticator.class)
          .hasSingleBean(LatchkeyHealthIndicator.class)
          .doesNotHaveBean(LatchkeyAuthenticationProvider.class); // not a web application
      assertThat(context.getBean(TokenStore.class)).isInstanceOf(InMemoryTokenStore.class);
      IssuedToken t = context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
      assertThat(t.secret()).startsWith("lk_");
    });
  }

  @Test
  void webApplication_authenticationProviderBean() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(LatchkeyAutoConfiguration.class,
            LatchkeySecurityAutoConfiguration.class))
        .withPropertyValues("latchkey.store=memory", KEY)
        .run(context -> assertThat(context).hasSingleBean(LatchkeyAuthenticationProvider.class));
  }

  @Test
  void disabled_noBeans() {
    runner.withPropertyValues("latchkey.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(Latchkey.class)
            .doesNotHaveBean(RequestAuthenticator.class));
  }

  @Test
  void storeMissing_namesTheProperty() {
    runner.withPropertyValues(KEY).run(context -> failure(context)
        .hasMessageContaining("latchkey.store").hasMessageContaining("memory, jdbc"));
  }

  @Test
  void hashingKeysMissing_namesTheProperty() {
    runner.withPropertyValues("latchkey.store=memory").run(context -> failure(context)
        .hasMessageContaining("latchkey.hashing-keys").hasMessageContaining("latchkey keygen"));
  }

  @Test
  void hashingKeyTooShort_namesThePropertyNotTheValue() {
    runner.withPropertyValues("latchkey.store=memory", "latchkey.hashing-keys.k1=c2hvcnQ=")
        .run(context -> failure(context).hasMessageContaining("latchkey.hashing-keys.k1")
            .hasMessageNotContaining("c2hvcnQ="));
  }

  @Test
  void severalKeys_primaryRequired_thenNewTokensUseIt_oldOnesStillValidate() {
    runner.withPropertyValues("latchkey.store=memory", KEY, KEY2).run(context -> failure(context)
        .hasMessageContaining("latchkey.primary-hashing-key").hasMessageContaining("k1"));
    InMemoryTokenStore shared = new InMemoryTokenStore();
    runner.withBean(TokenStore.class, () -> shared)
        .withPropertyValues("latchkey.store=memory", KEY).run(before -> {
          String secret = before.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"))
              .secret();
          // Rotation: k2 becomes primary, k1 stays configured; the old token still validates.
          runner.withBean(TokenStore.class, () -> shared)
              .withPropertyValues("latchkey.store=memory", KEY, KEY2,
                  "latchkey.primary-hashing-key=k2")
              .run(after -> assertThat(after.getBean(TokenValidator.class)
                  .validate(io.latchkey.ValidationRequest.of(secret)).isValid()).isTrue());
        });
  }

  @Test
  void retiringKey_oldTokenValidatesAndMovesToThePrimary() {
    InMemoryTokenStore shared = new InMemoryTokenStore();
    runner.withBean(TokenStore.class, () -> shared)
        .withPropertyValues("latchkey.store=memory", KEY).run(before -> {
          IssuedToken t = before.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
          assertThat(shared.find(t.id().value()).orElseThrow().keyId()).isEqualTo("k1");
          // Step 3 of the rollout: k2 is the only active key, k1 is retiring.
          runner.withBean(TokenStore.class, () -> shared)
              .withPropertyValues("latchkey.store=memory", KEY2, RETIRING_K1)
              .run(after -> {
                assertThat(after.getBean(TokenValidator.class)
                    .validate(io.latchkey.ValidationRequest.of(t.secret())).isValid()).isTrue();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!"k2".equals(shared.find(t.id().value()).orElseThrow().keyId())
                    && System.nanoTime() < deadline) {
                  Thread.sleep(10);
                }
                assertThat(shared.find(t.id().value()).orElseThrow().keyId()).as("re-hashed to k2")
                    .isEqualTo("k2");
                IssuedToken fresh = after.getBean(TokenManager.class)
                    .issue(NewToken.in("ws").name("new"));
                assertThat(shared.find(fresh.id().value()).orElseThrow().keyId()).isEqualTo("k2");
              });
        });
  }

  @Test
  void retiringKeys_badSettingsNameTheProperty() {
    // Only retiring keys: nothing could hash new tokens.
    runner.withPropertyValues("latchkey.store=memory", RETIRING_K1).run(context ->
        failure(context).hasMessageContaining("latchkey.hashing-keys")
            .hasMessageContaining("active"));
    // One active and one retiring key need no primary-hashing-key, but it may not name the
    // retiring one.
    runner.withPropertyValues("latchkey.store=memory", KEY2, RETIRING_K1)
        .run(context -> assertThat(context).hasNotFailed());
    runner.withPropertyValues("latchkey.store=memory", KEY2, RETIRING_K1,
            "latchkey.primary-hashing-key=k1")
        .run(context -> failure(context).hasMessageContaining("latchkey.primary-hashing-key")
            .hasMessageContaining("retiring"));
    // The same id active and retiring.
    runner.withPropertyValues("latchkey.store=memory", KEY, RETIRING_K1).run(context ->
        failure(context).hasMessageContaining("latchkey.retiring-hashing-keys.k1")
            .hasMessageNotContaining(KEY.substring(KEY.indexOf('=') + 1)));
    // A bad value: the property is named, the value is not printed.
    runner.withPropertyValues("latchkey.store=memory", KEY,
            "latchkey.retiring-hashing-keys.old=c2hvcnQ=")
        .run(context -> failure(context)
            .hasMessageContaining("latchkey.retiring-hashing-keys.old")
            .hasMessageNotContaining("c2hvcnQ="));
  }

  @ParameterizedTest
  @CsvSource({
      "latchkey.token-prefix=Bad-Prefix, latchkey.token-prefix",
      "latchkey.primary-hashing-key=nope, latchkey.primary-hashing-key",
      "latchkey.cache-ttl=-1s, latchkey.cache-ttl",
      "latchkey.cache-maximum-size=-1, latchkey.cache-maximum-size",
      "latchkey.serve-stale-for=-1s, latchkey.serve-stale-for",
      "latchkey.default-lifetime=-1d, latchkey.default-lifetime",
      "latchkey.max-lifetime=-1d, latchkey.max-lifetime",
      "latchkey.usage-flush-interval=-1s, latchkey.usage-flush-interval",
      "latchkey.http.token-header=X API Key, latchkey.http.token-header",
      "latchkey.http.realm=a\"b, latchkey.http.realm",
      "latchkey.http.integration-header=a b, latchkey.http.integration-header",
      "latchkey.http.trusted-proxies=10.0.0.7/8, latchkey.http.trusted-proxies",
      "latchkey.redis.key-prefix={x}, latchkey.redis.key-prefix",
  })
  void badValue_namesTheProperty(String setting, String property) {
    String[] store = setting.startsWith("latchkey.redis")
        ? new String[] {"latchkey.store=redis", "latchkey.redis.uri=redis://127.0.0.1:1"}
        : new String[] {"latchkey.store=memory"};
    runner.withPropertyValues(store).withPropertyValues(KEY, setting)
        .run(context -> failure(context).hasMessageContaining(property));
  }

  @Test
  void lifetimesAndPrefix_applied() {
    runner.withPropertyValues("latchkey.store=memory", KEY, "latchkey.token-prefix=acme",
        "latchkey.default-lifetime=30d", "latchkey.max-lifetime=90d").run(context -> {
          TokenManager tokens = context.getBean(TokenManager.class);
          IssuedToken t = tokens.issue(NewToken.in("ws").name("n"));
          assertThat(t.secret()).startsWith("acme_");
          assertThat(Duration.between(t.token().createdAt(), t.token().expiresAt()))
              .isEqualTo(Duration.ofDays(30));
          org.assertj.core.api.Assertions.assertThatThrownBy(() ->
              tokens.issue(NewToken.in("ws").name("n").expiresIn(Duration.ofDays(91))))
              .hasMessageContaining("maximum lifetime of PT2160H");
        });
  }

  @Test
  void cacheAndFlushSettings_accepted() {
    runner.withPropertyValues("latchkey.store=memory", KEY, "latchkey.cache-ttl=5s",
        "latchkey.cache-maximum-size=1000", "latchkey.serve-stale-for=1m",
        "latchkey.usage-flush-interval=2s").run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void httpSettings_applied() {
    runner.withPropertyValues("latchkey.store=memory", KEY, "latchkey.http.token-header=X-API-Key",
        "latchkey.http.realm=billing", "latchkey.http.integration-header=X-Caller",
        "latchkey.http.trusted-proxies=10.0.0.0/8,192.0.2.1").run(context -> {
          RequestAuthenticator auth = context.getBean(RequestAuthenticator.class);
          assertThat(auth.tokenSource()).hasToString("TokenSource.header(X-API-Key)");
          assertThat(auth.realm()).isEqualTo("billing");
          assertThat(auth.integrationHeader()).isEqualTo("X-Caller");
          assertThat(auth.trustedProxies()).containsExactly("10.0.0.0/8", "192.0.2.1");
          IssuedToken t = context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
          assertThat(auth.authenticate(HttpRequestView.of(
              Map.of("X-API-Key", List.of(t.secret())), "192.0.2.9")).isAuthenticated()).isTrue();
        });
  }

  @Test
  void jdbc_usesTheApplicationsDataSource_tablePrefix() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:autoconfig-jdbc;DB_CLOSE_DELAY=-1");
    runner.withBean(DataSource.class, () -> ds)
        .withPropertyValues("latchkey.store=jdbc", KEY, "latchkey.jdbc.table-prefix=app_")
        .run(context -> {
          assertThat(context.getBean(TokenStore.class)).isInstanceOf(JdbcTokenStore.class);
          context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
          try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
              "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) LIKE 'app_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).isPositive();
          }
        });
  }

  @Test
  void jdbc_withoutDataSource_saysWhatIsMissing() {
    runner.withPropertyValues("latchkey.store=jdbc", KEY).run(context -> failure(context)
        .hasMessageContaining("latchkey.store").hasMessageContaining("DataSource"));
  }

  @Test
  void redis_withoutUriOrClient_namesTheProperty() {
    runner.withPropertyValues("latchkey.store=redis", KEY).run(context -> failure(context)
        .hasMessageContaining("latchkey.redis.uri"));
  }

  @Test
  void redis_uri_realServer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RedisServer redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
        .setting("dir " + Files.createTempDirectory("latchkey-redis"))
        .setting("save \"\"").build();
    redis.start();
    try {
      runner.withPropertyValues("latchkey.store=redis", KEY,
          "latchkey.redis.uri=redis://127.0.0.1:" + port, "latchkey.redis.key-prefix=app:")
          .run(context -> {
            assertThat(context.getBean(TokenStore.class)).isInstanceOf(RedisTokenStore.class);
            IssuedToken t = context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
            ValidationResult r = context.getBean(TokenValidator.class)
                .validate(io.latchkey.ValidationRequest.of(t.secret()));
            assertThat(r.isValid()).isTrue();
            assertThat(context.getBean(Latchkey.class).hasChangeFeed()).isTrue();
          });
    } finally {
      redis.stop();
    }
  }

  @Test
  void hostBeans_win() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    runner.withPropertyValues(KEY).withBean(TokenStore.class, () -> store).run(context -> {
      // The host's store: latchkey.store need not be set.
      assertThat(context.getBean(TokenStore.class)).isSameAs(store);
      assertThat(context.getBean(Latchkey.class).store()).isSameAs(store);
    });
    Latchkey own = Latchkey.builder().store(new InMemoryTokenStore())
        .hashingKey(HashingKey.generate("h")).build();
    runner.withBean(Latchkey.class, () -> own).run(context -> {
      // With the host's Latchkey, no store or key property is needed at all.
      assertThat(context).hasNotFailed().doesNotHaveBean(TokenStore.class);
      assertThat(context.getBean(TokenManager.class)).isSameAs(own.tokens());
    });
    TokenValidator validator = request -> ValidationResult.rejected(io.latchkey.Reason.UNKNOWN);
    runner.withPropertyValues("latchkey.store=memory", KEY)
        .withBean(TokenValidator.class, () -> validator).run(context -> {
          IssuedToken t = context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
          assertThat(context.getBean(RequestAuthenticator.class).authenticate(HttpRequestView.of(
              Map.of("Authorization", List.of("Bearer " + t.secret())), "192.0.2.9")).status())
              .isEqualTo(401);
        });
    RequestAuthenticator auth = RequestAuthenticator.builder().validator(validator).build();
    runner.withPropertyValues("latchkey.store=memory", KEY)
        .withBean(RequestAuthenticator.class, () -> auth)
        .run(context -> assertThat(context.getBean(RequestAuthenticator.class)).isSameAs(auth));
    runner.withPropertyValues("latchkey.store=memory", KEY)
        .withBean("latchkeyHealthIndicator", LatchkeyHealthIndicator.class,
            () -> new LatchkeyHealthIndicator(own))
        .run(context -> assertThat(context.getBean(LatchkeyHealthIndicator.class)).isNotNull());
  }

  @Test
  void micrometer_metricsBeanRecordsValidations_hostRecorderWins() {
    runner.withPropertyValues("latchkey.store=memory", KEY).run(context -> {
      LatchkeyMetrics metrics = context.getBean(LatchkeyMetrics.class);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      metrics.bindTo(registry);
      IssuedToken t = context.getBean(TokenManager.class).issue(NewToken.in("ws").name("n"));
      context.getBean(TokenValidator.class).validate(io.latchkey.ValidationRequest.of(t.secret()));
      assertThat(registry.get("latchkey.validations").tag("result", "valid").functionCounter().count())
          .isEqualTo(1);
    });
    MetricsRecorder own = new MetricsRecorder() {};
    runner.withPropertyValues("latchkey.store=memory", KEY)
        .withBean(MetricsRecorder.class, () -> own)
        .run(context -> assertThat(context).doesNotHaveBean(LatchkeyMetrics.class));
  }

  @Test
  void configurationMetadata_describesEveryProperty() throws IOException {
    String json = new String(getClass().getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json").readAllBytes());
    for (String p : List.of("latchkey.store", "latchkey.token-prefix", "latchkey.hashing-keys",
        "latchkey.retiring-hashing-keys", "latchkey.primary-hashing-key", "latchkey.cache-ttl", "latchkey.serve-stale-for",
        "latchkey.default-lifetime", "latchkey.max-lifetime", "latchkey.jdbc.table-prefix",
        "latchkey.redis.uri", "latchkey.http.token-header", "latchkey.http.trusted-proxies")) {
      assertThat(json).contains("\"name\": \"" + p + "\"");
    }
  }
}
