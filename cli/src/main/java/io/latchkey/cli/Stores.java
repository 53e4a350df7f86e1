package io.latchkey.cli;

import io.latchkey.LatchkeyException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.latchkey.store.redis.RedisTokenStore;
import java.util.Locale;
import java.util.regex.Pattern;

/** Opens the {@link TokenStore} a {@code --store} URL names. The one place that knows the schemes. */
final class Stores {
  static final String MEMORY = "memory:";
  static final String CLUSTER = "redis-cluster://";
  static final String SUPPORTED =
      "jdbc:h2:..., jdbc:postgresql://..., redis://..., redis-cluster://... or memory:";

  private static final Pattern PASSWORD_PARAM =
      Pattern.compile("(?i)(password=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("(://)[^/@]*@");

  private Stores() {}

  /**
   * Opens a store. The caller owns it and closes it.
   *
   * @throws ConfigException for a scheme this build does not support
   * @throws StoreUnavailableException if the backend cannot be reached
   */
  static TokenStore open(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.equals(MEMORY)) return new InMemoryTokenStore();
    if (lower.startsWith("jdbc:h2:") || lower.startsWith("jdbc:postgresql:")) {
      return guard(url, () -> openJdbc(url));
    }
    if (lower.startsWith("redis://") || lower.startsWith("rediss://")) {
      return guard(url, () -> openRedis(url));
    }
    if (lower.startsWith(CLUSTER)) {
      return guard(url, () -> openRedisCluster(url));
    }
    throw new ConfigException("--store \"" + redact(url) + "\" is not supported: use " + SUPPORTED);
  }

  /** The data directory's database, with its user and password. */
  static TokenStore openEmbedded(String url, String user, String password) {
    return guard(url, () -> JdbcTokenStore.builder().jdbcUrl(url).username(user)
        .password(password).maximumPoolSize(2)
        .connectionTimeout(java.time.Duration.ofSeconds(5)).build());
  }

  /**
   * Gives a database created before databases had a password (its admin is the empty user with an
   * empty password) the user and password the CLI now opens it with, and locks the empty user out.
   */
  static void protectLegacyH2(String url, String user, String password) {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "", "");
         java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE USER IF NOT EXISTS " + user + " PASSWORD '" + password + "' ADMIN");
      byte[] random = new byte[24];
      new java.security.SecureRandom().nextBytes(random);
      st.execute("ALTER USER \"\" SET PASSWORD '"
          + java.util.HexFormat.of().formatHex(random) + "'");
    } catch (java.sql.SQLException e) {
      throw new StoreUnavailableException("cannot set the password of the database " + url
          + ": " + e.getMessage(), e);
    }
  }

  /** A command needs a connection or two; the demo service's handlers share them. */
  private static TokenStore openJdbc(String url) {
    return JdbcTokenStore.builder().jdbcUrl(url).maximumPoolSize(2)
        .connectionTimeout(java.time.Duration.ofSeconds(5)).build();
  }

  private static TokenStore openRedis(String url) {
    return RedisTokenStore.create(url);
  }

  private static TokenStore openRedisCluster(String url) {
    return RedisTokenStore.builder().clusterUri("redis://" + url.substring(CLUSTER.length()))
        .build();
  }

  /** Drivers and pools throw their own exceptions when a server is down; name it one way. */
  private static TokenStore guard(String url, java.util.function.Supplier<TokenStore> opener) {
    try {
      return opener.get();
    } catch (StoreUnavailableException e) {
      throw misconfigured(url, e);
    } catch (LatchkeyException | ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      RuntimeException config = misconfigured(url, e);
      if (config instanceof ConfigException) throw config;
      throw new StoreUnavailableException("cannot open store " + redact(url) + ": "
          + rootMessage(e), e);
    }
  }

  /**
   * A store that answered but cannot be what the URL says is a configuration error (exit 2), not
   * an outage (exit 5): a database that does not exist, a cluster URL for a standalone Redis.
   */
  private static RuntimeException misconfigured(String url, RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof java.sql.SQLException sql
          && ("3D000".equals(sql.getSQLState()) || "90146".equals(sql.getSQLState()))) {
        return new ConfigException("--store " + redact(url) + ": the database does not exist ("
            + oneLine(m) + "); create it first, or fix the name in the URL");
      }
      if (m.contains("cluster support disabled")) {
        return new ConfigException("--store " + redact(url) + " names a Redis Cluster, but the"
            + " server is a standalone Redis (cluster support disabled): use redis://"
            + url.substring(Math.min(url.length(), CLUSTER.length())));
      }
    }
    return e;
  }

  private static String oneLine(String s) {
    return redactAll(s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " "));
  }

  private static String redactAll(String s) {
    return USER_INFO.matcher(PASSWORD_PARAM.matcher(s).replaceAll("$1***")).replaceAll("$1***@");
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  /** A store URL fit for messages: passwords, in query parameters or user info, are hidden. */
  static String redact(String url) {
    String s = PASSWORD_PARAM.matcher(url).replaceAll("$1***");
    return USER_INFO.matcher(s).replaceAll("$1***@");
  }
}
