package io.latchkey.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * {@code latchkey.feed.lag} over the real change feeds: PostgreSQL LISTEN/NOTIFY and Redis pub/sub.
 * Instance A writes, instance B (with the meters) learns of it through its own store's feed. A
 * message in the format of an older version (a bare id, no time) still invalidates, unmeasured.
 */
class FeedMetersTest {
  private static final HashingKey KEY = HashingKey.generate("k1");
  private static EmbeddedPostgres postgres;
  private static RedisServer redis;
  private static int redisPort;

  @BeforeAll
  static void start() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      redisPort = s.getLocalPort();
    }
    redis = RedisServer.newRedisServer()
        .executableProvider(ExecutableProvider.newJarResourceProvider(
            Files.createTempDirectory("latchkey-meters-redis").toFile()))
        .bind("127.0.0.1").port(redisPort).setting("save \"\"").build();
    redis.start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (redis != null) redis.stop();
    if (postgres != null) postgres.close();
  }

  private static JdbcTokenStore postgresStore() {
    return JdbcTokenStore.builder().jdbcUrl(postgres.getJdbcUrl("postgres", "postgres"))
        .username("postgres").build();
  }

  private static RedisTokenStore redisStore() {
    return RedisTokenStore.builder().uri("redis://127.0.0.1:" + redisPort).build();
  }

  @Test
  void postgres_lagMeasuredPerChange_bareIdStillInvalidates() throws Exception {
    try (JdbcTokenStore a = postgresStore(); JdbcTokenStore b = postgresStore()) {
      lagMeasured_bareIdStillInvalidates(a, b, id -> {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement st = c.createStatement()) {
          st.execute("SELECT pg_notify('latchkey_changes', '" + id + "')");
        }
      });
    }
  }

  @Test
  void redis_lagMeasuredPerChange_bareIdStillInvalidates() throws Exception {
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
    try (RedisTokenStore a = redisStore(); RedisTokenStore b = redisStore();
         var publisher = client.connect()) {
      lagMeasured_bareIdStillInvalidates(a, b,
          id -> publisher.sync().publish("latchkey:changes", id));
    } finally {
      client.shutdown();
    }
  }

  interface Publish {
    void bareId(String id) throws Exception;
  }

  private static void lagMeasured_bareIdStillInvalidates(TokenStore storeA, TokenStore storeB,
      Publish oldFormat) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    metrics.bindTo(registry);
    try (Latchkey writer = Latchkey.builder().store(storeA).hashingKey(KEY).build();
         Latchkey reader = Latchkey.builder().store(storeB).hashingKey(KEY)
             .cacheTtl(Duration.ofHours(1)).metrics(metrics).build()) {
      Timer lag = registry.get("latchkey.feed.lag").timer();
      IssuedToken t = writer.tokens().issue(NewToken.in("ws").name("n"));
      // The insert is a change too: its message reaches the reader.
      await(() -> lag.count() >= 1);
      assertThat(reader.validator().validate(ValidationRequest.of(t.secret())).isValid())
          .isTrue();
      long before = lag.count();

      writer.tokens().revoke(t.id());

      await(() -> lag.count() > before);
      await(() -> reader.validator().validate(ValidationRequest.of(t.secret())).reasonOrNull()
          == Reason.REVOKED);
      // Both instances run on this host's clock: the lag is real time, well under a minute.
      assertThat(lag.max(TimeUnit.MILLISECONDS)).isBetween(0.0, 60_000.0);
      assertThat(lag.totalTime(TimeUnit.MILLISECONDS)).isNotNegative();

      // An older writer's message: the bare id. It drops the cached entry, without a lag.
      long beforeInsert = lag.count();
      IssuedToken u = writer.tokens().issue(NewToken.in("ws").name("m"));
      await(() -> lag.count() > beforeInsert); // the insert's own message has been applied
      assertThat(reader.validator().validate(ValidationRequest.of(u.secret())).isValid())
          .isTrue();
      // Validate both again while waiting: on a loaded machine a message of the insert, or a late
      // one of the revoke, may still be on its way and drop an entry just cached (the revoked
      // token's was never read again, and the wait ran out in a JDK 25 run of .ci/run).
      await(() -> reader.validator().validate(ValidationRequest.of(t.secret())).reasonOrNull()
          == Reason.REVOKED
          && reader.validator().validate(ValidationRequest.of(u.secret())).isValid()
          && reader.cachedTokens() == 2);
      long counted = lag.count();
      oldFormat.bareId(u.id().value());
      await(() -> reader.cachedTokens() == 1);
      assertThat(lag.count()).isEqualTo(counted);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met in 20 s");
      Thread.sleep(10);
    }
  }
}
