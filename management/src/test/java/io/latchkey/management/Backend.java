package io.latchkey.management;

import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/** The real backends the API is tested on; servers start once per test JVM, on free ports. */
enum Backend {
  MEMORY, H2, POSTGRES, REDIS;

  private static final AtomicInteger FRESH = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private static String redisUri;

  /** A store over an empty backend (fresh database, table prefix or key prefix). */
  TokenStore open() {
    int n = FRESH.incrementAndGet();
    return switch (this) {
      case MEMORY -> new InMemoryTokenStore();
      case H2 -> JdbcTokenStore.create("jdbc:h2:mem:mgmt" + n + ";DB_CLOSE_DELAY=-1");
      case POSTGRES -> JdbcTokenStore.builder().jdbcUrl(postgres().getJdbcUrl("postgres", "postgres"))
          .username("postgres").tablePrefix("m" + n + "_").build();
      case REDIS -> RedisTokenStore.builder().uri(redis()).keyPrefix("m" + n + ":").build();
    };
  }

  private static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // exiting
        }
      }));
    }
    return postgres;
  }

  private static synchronized String redis() {
    if (redisUri == null) {
      try {
        Path dir = Files.createTempDirectory("latchkey-mgmt-redis");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
          port = s.getLocalPort();
        }
        RedisServer server = RedisServer.newRedisServer()
            .executableProvider(ExecutableProvider.newJarResourceProvider(dir.toFile()))
            .bind("127.0.0.1").port(port)
            .setting("dir " + dir).setting("save \"\"").setting("protected-mode yes")
            .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.stop();
          } catch (IOException ignored) {
            // exiting
          }
        }));
        redisUri = "redis://127.0.0.1:" + port;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return redisUri;
  }
}
