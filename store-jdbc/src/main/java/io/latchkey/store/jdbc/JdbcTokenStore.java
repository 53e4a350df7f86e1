package io.latchkey.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.InvalidArgumentException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.ObjectArgument;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenStore} in a relational database over JDBC: PostgreSQL in production, H2 as the
 * embedded default (file or in-memory). The dialect is detected from the connection.
 *
 * <ul>
 *   <li>One row per token; permissions, allowlist and metadata are JSON columns ({@code jsonb} on
 *       PostgreSQL), so {@link #find} is one primary-key query.
 *   <li>Listing is a keyset query on the {@code (workspace, id)} index: no OFFSET.
 *   <li>Replace is {@code UPDATE … WHERE id = ? AND version = ?}; usage is one batched {@code
 *       UPDATE} that only moves last-used time forward.
 *   <li>Versioned schema migrations ship in the jar and run on start unless turned off.
 *   <li>On PostgreSQL a trigger NOTIFYs every change, which {@link #subscribe} LISTENs to on a
 *       dedicated connection. H2 has no change feed.
 * </ul>
 *
 * <p>Built from a JDBC URL, the store creates and owns a HikariCP pool and closes it in {@link
 * #close()}; built from the host's {@link DataSource}, it never closes it (the change feed then
 * holds one of its connections while subscribed). Every method throws {@link
 * StoreUnavailableException} when the database cannot be reached.
 */
public final class JdbcTokenStore implements TokenStore {
  private static final String COLUMNS = "id, workspace, name, description, hint, key_id, hash, "
      + "state, permissions, allowed_ips, metadata, created_at, created_by, updated_at, "
      + "expires_at, last_used_at, last_used_ip, last_used_integration, version";

  private final Jdbi jdbi;
  private final Dialect dialect;
  private final String prefix;
  private final @Nullable HikariDataSource ownedPool;
  private final @Nullable PgChangeFeed feed;
  private final String insertSql;
  private final String findSql;
  private final String replaceSql;
  private final String deleteSql;
  private final String listFirstSql;
  private final String listAfterSql;
  private final String usageSql;

  private JdbcTokenStore(Jdbi jdbi, Dialect dialect, String prefix,
      @Nullable HikariDataSource ownedPool, PgChangeFeed.@Nullable Connector feedConnector) {
    this.jdbi = jdbi;
    this.dialect = dialect;
    this.prefix = prefix;
    this.ownedPool = ownedPool;
    this.feed = dialect.changeFeed && feedConnector != null
        ? new PgChangeFeed(feedConnector, prefix + "changes") : null;
    String table = prefix + "tokens";
    String json = dialect.jsonParameter;
    this.insertSql = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        + json + ", " + json + ", " + json + ", ?, ?, ?, ?, ?, ?, ?, ?)";
    this.findSql = "SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?";
    this.replaceSql = "UPDATE " + table + " SET workspace = ?, name = ?, description = ?, "
        + "hint = ?, key_id = ?, hash = ?, state = ?, permissions = " + json
        + ", allowed_ips = " + json + ", metadata = " + json + ", created_at = ?, "
        + "created_by = ?, updated_at = ?, expires_at = ?, version = ? "
        + "WHERE id = ? AND version = ?";
    this.deleteSql = "DELETE FROM " + table + " WHERE id = ?";
    this.listFirstSql = "SELECT " + COLUMNS + " FROM " + table
        + " WHERE workspace = ? ORDER BY id LIMIT ?";
    this.listAfterSql = "SELECT " + COLUMNS + " FROM " + table
        + " WHERE workspace = ? AND id > ? ORDER BY id LIMIT ?";
    this.usageSql = "UPDATE " + table + " SET last_used_at = ?, last_used_ip = ?, "
        + "last_used_integration = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";
  }

  /**
   * A store over the database at {@code jdbcUrl} ({@code jdbc:postgresql://…}, {@code
   * jdbc:h2:file:…}, {@code jdbc:h2:mem:…}), with its own connection pool and migrations applied.
   *
   * @throws StoreUnavailableException if the database cannot be reached
   */
  public static JdbcTokenStore create(String jdbcUrl) {
    return builder().jdbcUrl(jdbcUrl).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The detected database: {@code "postgresql"} or {@code "h2"}. */
  public String dialect() {
    return dialect.migrations;
  }

  /** The table-name prefix. */
  public String tablePrefix() {
    return prefix;
  }

  @Override
  public boolean insert(TokenRecord r) {
    Objects.requireNonNull(r, "record == null");
    try {
      return jdbi.withHandle(h -> {
        Update u = h.createUpdate(insertSql);
        int i = 0;
        u.bind(i++, r.id());
        i = bindContent(u, i, r);
        bindInstant(u, i++, r.lastUsedAt());
        u.bind(i++, r.lastUsedIp());
        u.bind(i++, r.lastUsedIntegration());
        u.bind(i, r.version());
        return u.execute() == 1;
      });
    } catch (JdbiException e) {
      if (Failures.isUniqueViolation(e)) return false;
      throw Failures.unavailable("insert", e);
    }
  }

  /** Binds workspace … expires_at, in column order; returns the next index. */
  private static int bindContent(Update u, int i, TokenRecord r) {
    u.bind(i++, r.workspace());
    u.bind(i++, r.name());
    u.bind(i++, r.description());
    u.bind(i++, r.hint());
    u.bind(i++, r.keyId());
    u.bind(i++, r.hash());
    u.bind(i++, r.state().name());
    u.bind(i++, JsonColumns.write(r.permissions()));
    u.bind(i++, JsonColumns.write(r.allowedIps()));
    u.bind(i++, JsonColumns.write(r.metadata()));
    bindInstant(u, i++, r.createdAt());
    u.bind(i++, r.createdBy());
    bindInstant(u, i++, r.updatedAt());
    bindInstant(u, i++, r.expiresAt());
    return i;
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    Objects.requireNonNull(id, "id == null");
    try {
      return jdbi.withHandle(h -> h.createQuery(findSql).bind(0, id).map(ROWS).findOne());
    } catch (JdbiException e) {
      throw Failures.unavailable("find", e);
    }
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    Objects.requireNonNull(updated, "updated == null");
    try {
      return jdbi.withHandle(h -> {
        Update u = h.createUpdate(replaceSql);
        int i = bindContent(u, 0, updated);
        u.bind(i++, updated.version());
        u.bind(i++, updated.id());
        u.bind(i, expectedVersion);
        return u.execute() == 1;
      });
    } catch (JdbiException e) {
      throw Failures.unavailable("replace", e);
    }
  }

  @Override
  public boolean delete(String id) {
    Objects.requireNonNull(id, "id == null");
    try {
      return jdbi.withHandle(h -> h.createUpdate(deleteSql).bind(0, id).execute() == 1);
    } catch (JdbiException e) {
      throw Failures.unavailable("delete", e);
    }
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    try {
      return jdbi.withHandle(h -> afterId == null
          ? h.createQuery(listFirstSql).bind(0, workspace).bind(1, limit).map(ROWS).list()
          : h.createQuery(listAfterSql).bind(0, workspace).bind(1, afterId).bind(2, limit)
              .map(ROWS).list());
    } catch (JdbiException e) {
      throw Failures.unavailable("list", e);
    }
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    if (updates.isEmpty()) return;
    // Sorted by id, so concurrent batches lock rows in one order and cannot deadlock.
    List<UsageUpdate> sorted = new ArrayList<>(updates);
    sorted.sort(Comparator.comparing(UsageUpdate::tokenId));
    try {
      jdbi.useTransaction(h -> {
        PreparedBatch batch = h.prepareBatch(usageSql);
        for (UsageUpdate u : sorted) {
          OffsetDateTime at = utc(u.usedAt());
          batch.bind(0, ObjectArgument.of(at, Types.TIMESTAMP_WITH_TIMEZONE))
              .bind(1, u.clientIp())
              .bind(2, u.integration())
              .bind(3, u.tokenId())
              .bind(4, ObjectArgument.of(at, Types.TIMESTAMP_WITH_TIMEZONE))
              .add();
        }
        batch.execute();
      });
    } catch (JdbiException e) {
      throw Failures.unavailable("applyUsage", e);
    }
  }

  /** On PostgreSQL, a LISTEN/NOTIFY feed; on H2, none. */
  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return feed == null ? Optional.empty() : Optional.of(feed.subscribe(listener));
  }

  /** Stops the change feed and closes the pool if this store created it. */
  @Override
  public void close() {
    if (feed != null) feed.close();
    if (ownedPool != null) ownedPool.close();
  }

  @Override
  public String toString() {
    return "JdbcTokenStore[" + dialect.migrations + ", prefix=" + prefix + "]";
  }

  // ------------------------------------------------------------------ mapping

  private static final RowMapper<TokenRecord> ROWS = JdbcTokenStore::map;

  private static TokenRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
    return TokenRecord.builder()
        .id(rs.getString("id"))
        .workspace(rs.getString("workspace"))
        .name(rs.getString("name"))
        .description(rs.getString("description"))
        .hint(rs.getString("hint"))
        .keyId(rs.getString("key_id"))
        .hash(rs.getBytes("hash"))
        .state(StoredState.valueOf(rs.getString("state")))
        .permissions(JsonColumns.permissions(rs.getString("permissions")))
        .allowedIps(JsonColumns.strings(rs.getString("allowed_ips")))
        .metadata(JsonColumns.metadata(rs.getString("metadata")))
        .createdAt(instant(rs, "created_at"))
        .createdBy(rs.getString("created_by"))
        .updatedAt(instant(rs, "updated_at"))
        .expiresAt(instant(rs, "expires_at"))
        .lastUsedAt(instant(rs, "last_used_at"))
        .lastUsedIp(rs.getString("last_used_ip"))
        .lastUsedIntegration(rs.getString("last_used_integration"))
        .version(rs.getLong("version"))
        .build();
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static void bindInstant(Update u, int index, @Nullable Instant instant) {
    u.bind(index, instant == null
        ? ObjectArgument.of(null, Types.TIMESTAMP_WITH_TIMEZONE)
        : ObjectArgument.of(utc(instant), Types.TIMESTAMP_WITH_TIMEZONE));
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * Configures a {@link JdbcTokenStore}: either {@link #jdbcUrl} (the store owns a pool) or {@link
   * #dataSource} (the host owns it). Each setting is checked as it is set.
   */
  public static final class Builder {
    private @Nullable String jdbcUrl;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable DataSource dataSource;
    private String tablePrefix = "latchkey_";
    private boolean migrate = true;
    private int maximumPoolSize = 10;
    private Duration connectionTimeout = Duration.ofSeconds(5);

    private Builder() {}

    /** A {@code jdbc:postgresql:} or {@code jdbc:h2:} URL; the store creates and owns a pool. */
    public Builder jdbcUrl(String jdbcUrl) {
      if (jdbcUrl == null || jdbcUrl.isBlank()) {
        throw new InvalidArgumentException("jdbcUrl", "must not be null or blank");
      }
      if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
        throw new InvalidArgumentException("jdbcUrl",
            "must start with jdbc:postgresql: or jdbc:h2:");
      }
      if (dataSource != null) {
        throw new InvalidArgumentException("jdbcUrl", "cannot be combined with dataSource");
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** The user for {@link #jdbcUrl}. */
    public Builder username(String username) {
      this.username = Objects.requireNonNull(username, "username == null");
      return this;
    }

    /** The password for {@link #jdbcUrl}; never logged. */
    public Builder password(String password) {
      this.password = Objects.requireNonNull(password, "password == null");
      return this;
    }

    /** The host's own pool; the store never closes it. */
    public Builder dataSource(DataSource dataSource) {
      if (dataSource == null) throw new InvalidArgumentException("dataSource", "must not be null");
      if (jdbcUrl != null) {
        throw new InvalidArgumentException("dataSource", "cannot be combined with jdbcUrl");
      }
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Prefix of every table, index, function and channel name: a lowercase letter, then up to 29
     * lowercase letters, digits or {@code _}. Default {@code latchkey_}.
     */
    public Builder tablePrefix(String tablePrefix) {
      if (tablePrefix == null || !tablePrefix.matches("[a-z][a-z0-9_]{0,29}")) {
        throw new InvalidArgumentException("tablePrefix",
            "must be a lowercase letter followed by up to 29 lowercase letters, digits or _");
      }
      this.tablePrefix = tablePrefix;
      return this;
    }

    /** Whether to apply schema migrations on start (default true). */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /** The owned pool's size (default 10). */
    public Builder maximumPoolSize(int size) {
      if (size < 1) throw new InvalidArgumentException("maximumPoolSize", "must be positive, was " + size);
      this.maximumPoolSize = size;
      return this;
    }

    /** How long the owned pool waits for a connection before the store reports unavailable. */
    public Builder connectionTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 250) {
        throw new InvalidArgumentException("connectionTimeout", "must be at least 250 ms");
      }
      this.connectionTimeout = timeout;
      return this;
    }

    /**
     * Connects, detects the dialect and applies migrations.
     *
     * @throws InvalidArgumentException if neither a URL nor a data source was given
     * @throws StoreUnavailableException if the database cannot be reached
     */
    public JdbcTokenStore build() {
      if (jdbcUrl == null && dataSource == null) {
        throw new InvalidArgumentException("jdbcUrl", "or dataSource must be set");
      }
      HikariDataSource owned = null;
      DataSource ds = dataSource;
      PgChangeFeed.Connector connector;
      try {
        if (ds == null) {
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(jdbcUrl);
          if (username != null) config.setUsername(username);
          if (password != null) config.setPassword(password);
          config.setMaximumPoolSize(maximumPoolSize);
          config.setConnectionTimeout(connectionTimeout.toMillis());
          config.setValidationTimeout(Math.min(connectionTimeout.toMillis(), 1_000));
          config.setPoolName("latchkey-" + tablePrefix);
          owned = new HikariDataSource(config);
          ds = owned;
          String url = jdbcUrl;
          String user = username;
          String pass = password;
          connector = () -> DriverManager.getConnection(url, user, pass);
        } else {
          DataSource host = ds;
          connector = host::getConnection;
        }
        Jdbi jdbi = Jdbi.create(ds);
        Dialect dialect = jdbi.withHandle(
            h -> Dialect.of(h.getConnection().getMetaData().getDatabaseProductName()));
        if (migrate) Migrations.apply(jdbi, dialect, tablePrefix);
        return new JdbcTokenStore(jdbi, dialect, tablePrefix, owned, connector);
      } catch (RuntimeException | SQLException e) {
        if (owned != null) owned.close();
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
          throw (RuntimeException) e;
        }
        throw Failures.unavailable("start", e);
      }
    }
  }
}
