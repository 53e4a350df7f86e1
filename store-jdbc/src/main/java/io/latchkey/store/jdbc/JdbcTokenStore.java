package io.latchkey.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LatchkeyException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.core.statement.StatementExceptions.MessageRendering;
import org.jdbi.v3.core.statement.Update;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenStore} in a relational database over JDBC: PostgreSQL in production, H2 as the
 * embedded default (file or in-memory). The dialect is detected from the connection.
 *
 * <ul>
 *   <li>One row per token; permissions, allowlist and metadata are JSON columns ({@code jsonb} on
 *       PostgreSQL), so {@link #find} is one primary-key query.
 *   <li>Listing is a keyset query read in the order of the {@code (workspace, id)} index: no
 *       OFFSET and no sort, so every page costs the same however far in it is.
 *   <li>Replace is {@code UPDATE … WHERE id = ? AND version = ?}; usage is one batched {@code
 *       UPDATE} that only moves last-used time forward.
 *   <li>Versioned schema migrations ship in the jar and run on start unless turned off.
 *   <li>On PostgreSQL a trigger NOTIFYs every change, which {@link #subscribe} LISTENs to on a
 *       dedicated connection. H2 has no change feed.
 * </ul>
 *
 * <p>Built from a JDBC URL, the store creates and owns a HikariCP pool, plus a pool of one
 * connection (opened on first use) for {@link #applyUsage}, so a usage flush never holds the
 * connections {@link #find} needs; it closes both in {@link #close()}. Built from the host's
 * {@link DataSource}, it uses that for everything and never closes it (on PostgreSQL the change
 * feed then holds one of its connections from the first subscription until {@link #close()}).
 *
 * <p>Every method throws {@link StoreUnavailableException} when the database cannot be reached,
 * a statement fails, or a statement outlives the {@linkplain Builder#queryTimeout query timeout};
 * a write that throws leaves the row as it was. Messages never carry a bound value (a hash).
 * Thread-safe.
 */
public final class JdbcTokenStore implements TokenStore {
  private static final String COLUMNS = "id, workspace, name, description, hint, key_id, hash, "
      + "state, permissions, allowed_ips, metadata, created_at, created_by, updated_at, "
      + "expires_at, lifetime_ms, last_used_at, last_used_ip, last_used_integration, version";

  private final Jdbi jdbi;
  /** Connections for {@link #find}, which uses plain JDBC. */
  private final ConnectionSource connections;
  private final int queryTimeoutSeconds;
  /** Usage writes: their own small pool when the store owns its pools, so a flush never queues
   * validation's {@code find} behind it. */
  private final Jdbi usageJdbi;
  private final Dialect dialect;
  private final String prefix;
  private final @Nullable HikariDataSource ownedPool;
  private final @Nullable HikariDataSource ownedUsagePool;
  private final @Nullable PgChangeFeed feed;
  private final String insertSql;
  private final String findSql;
  private final String replaceSql;
  private final String deleteSql;
  private final String listFirstSql;
  private final String listAfterSql;
  private final String usageSql;
  private volatile boolean closed;

  private JdbcTokenStore(Jdbi jdbi, ConnectionSource connections, int queryTimeoutSeconds,
      Jdbi usageJdbi, Dialect dialect, String prefix, @Nullable HikariDataSource ownedPool,
      @Nullable HikariDataSource ownedUsagePool, PgChangeFeed.@Nullable Connector feedConnector) {
    this.jdbi = jdbi;
    this.connections = connections;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.usageJdbi = usageJdbi;
    this.dialect = dialect;
    this.prefix = prefix;
    this.ownedPool = ownedPool;
    this.ownedUsagePool = ownedUsagePool;
    this.feed = dialect.changeFeed && feedConnector != null
        ? new PgChangeFeed(feedConnector, prefix + "changes") : null;
    String table = prefix + "tokens";
    String json = dialect.jsonParameter;
    this.insertSql = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        + json + ", " + json + ", " + json + ", ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.findSql = "SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?";
    this.replaceSql = "UPDATE " + table + " SET workspace = ?, name = ?, description = ?, "
        + "hint = ?, key_id = ?, hash = ?, state = ?, permissions = " + json
        + ", allowed_ips = " + json + ", metadata = " + json + ", created_at = ?, "
        + "created_by = ?, updated_at = ?, expires_at = ?, lifetime_ms = ?, version = ? "
        + "WHERE id = ? AND version = ?";
    this.deleteSql = "DELETE FROM " + table + " WHERE id = ?";
    // ORDER BY the whole index key, not just id: H2 then reads the (workspace, id) index in order
    // and stops after LIMIT rows; with ORDER BY id alone it filters by the index but sorts every
    // row after the cursor (a first page at 1 M tokens outlived the query timeout).
    this.listFirstSql = "SELECT " + COLUMNS + " FROM " + table
        + " WHERE workspace = ? ORDER BY workspace, id LIMIT ?";
    this.listAfterSql = "SELECT " + COLUMNS + " FROM " + table
        + " WHERE workspace = ? AND id > ? ORDER BY workspace, id LIMIT ?";
    this.usageSql = "UPDATE " + table + " SET last_used_at = ?, last_used_ip = ?, "
        + "last_used_integration = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";
  }

  /**
   * A store over the database at {@code jdbcUrl} ({@code jdbc:postgresql://…}, {@code
   * jdbc:h2:file:…}, {@code jdbc:h2:mem:…}), with its own connection pool and migrations applied.
   *
   * @throws InvalidArgumentException if the URL is not a PostgreSQL or H2 JDBC URL
   * @throws StoreUnavailableException if the database cannot be reached or a migration fails
   */
  public static JdbcTokenStore create(String jdbcUrl) {
    return builder().jdbcUrl(jdbcUrl).build();
  }

  /** A builder; give it {@link Builder#jdbcUrl} or {@link Builder#dataSource}. */
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

  /**
   * {@inheritDoc}
   *
   * @throws InvalidArgumentException if a text field holds U+0000 or an unpaired surrogate, which
   *     the database cannot store faithfully (nothing is written)
   */
  @Override
  public boolean insert(TokenRecord r) {
    Objects.requireNonNull(r, "record == null");
    StorableValues.check(r);
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

  /** Binds workspace … lifetime_ms, in column order; returns the next index. */
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
    u.bind(i++, r.lifetime().toMillis());
    return i;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The validation path's one query, so it is plain JDBC: a prepared statement (the driver
   * caches it per connection) and columns read by position. Through Jdbi, handle setup and
   * statement context took most of a cache miss's time on PostgreSQL.
   */
  @Override
  public Optional<TokenRecord> find(String id) {
    Objects.requireNonNull(id, "id == null");
    try (Connection c = connections.open();
         PreparedStatement ps = c.prepareStatement(findSql)) {
      if (queryTimeoutSeconds > 0) ps.setQueryTimeout(queryTimeoutSeconds);
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs, null)) : Optional.empty();
      }
    } catch (SQLException | RuntimeException e) {
      if (e instanceof StoreUnavailableException unavailable) throw unavailable;
      throw Failures.unavailable("find", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws InvalidArgumentException if a text field holds U+0000 or an unpaired surrogate, which
   *     the database cannot store faithfully (nothing is written)
   */
  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    Objects.requireNonNull(updated, "updated == null");
    StorableValues.check(updated);
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

  /** The keyset listing query, first page or after a cursor; for the plan tests. */
  String listSql(boolean afterCursor) {
    return afterCursor ? listAfterSql : listFirstSql;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    if (updates.isEmpty()) return;
    // Sorted by id, so concurrent batches lock rows in one order and cannot deadlock.
    List<UsageUpdate> sorted = new ArrayList<>(updates);
    sorted.sort(Comparator.comparing(UsageUpdate::tokenId));
    try {
      usageJdbi.useTransaction(h -> {
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

  /**
   * On PostgreSQL, a LISTEN/NOTIFY feed on one dedicated connection, shared by this store's
   * subscribers; on H2, none. The first subscription waits (up to five seconds) until the feed
   * listens, so that no change made after it returns is missed.
   *
   * @throws IllegalStateException if the store is closed
   */
  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    if (closed) throw new IllegalStateException("JdbcTokenStore is closed");
    return feed == null ? Optional.empty() : Optional.of(feed.subscribe(listener));
  }

  /**
   * Stops the change feed and closes the pool if this store created it; a host's {@link
   * DataSource} is left open. Idempotent.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (feed != null) feed.close();
    if (ownedUsagePool != null) ownedUsagePool.close();
    if (ownedPool != null) ownedPool.close();
  }

  @Override
  public String toString() {
    return "JdbcTokenStore[" + dialect.migrations + ", prefix=" + prefix + "]";
  }

  // ------------------------------------------------------------------ mapping

  private static final RowMapper<TokenRecord> ROWS = JdbcTokenStore::map;

  /**
   * Reads one row. A row edited by hand into something that is not a record (an unknown state,
   * broken JSON) fails as the backend failing: validation then answers UNAVAILABLE for that
   * token, failing closed, rather than throwing. The message names the id, never a value.
   */
  private static TokenRecord map(ResultSet rs, @Nullable StatementContext ctx)
      throws SQLException {
    try {
      return read(rs);
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new StoreUnavailableException("JDBC token store holds a malformed row for token "
          + rs.getString(1) + " (" + e.getClass().getSimpleName() + ")", null);
    }
  }

  /** Reads the columns by their position in {@link #COLUMNS}, cheaper than by name. */
  private static TokenRecord read(ResultSet rs) throws SQLException {
    return TokenRecord.builder()
        .id(rs.getString(1))
        .workspace(rs.getString(2))
        .name(rs.getString(3))
        .description(rs.getString(4))
        .hint(rs.getString(5))
        .keyId(rs.getString(6))
        .hash(rs.getBytes(7))
        .state(StoredState.valueOf(rs.getString(8)))
        .permissions(JsonColumns.permissions(rs.getString(9)))
        .allowedIps(JsonColumns.strings(rs.getString(10)))
        .metadata(JsonColumns.metadata(rs.getString(11)))
        .createdAt(instant(rs, 12))
        .createdBy(rs.getString(13))
        .updatedAt(instant(rs, 14))
        .expiresAt(instant(rs, 15))
        .lifetime(duration(rs, 16))
        .lastUsedAt(instant(rs, 17))
        .lastUsedIp(rs.getString(18))
        .lastUsedIntegration(rs.getString(19))
        .version(rs.getLong(20))
        .build();
  }

  /** Null for a row written before migration V4, which core then derives. */
  private static @Nullable Duration duration(ResultSet rs, int column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Duration.ofMillis(millis);
  }

  private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Where {@link #find} gets a connection (auto-committing, like Jdbi's). */
  @FunctionalInterface
  private interface ConnectionSource {
    Connection open() throws SQLException;
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
   * Configures a {@link JdbcTokenStore}: either {@link #jdbcUrl} (the store creates and owns a
   * HikariCP pool) or {@link #dataSource} (the host owns the pool). Each setting is checked as it
   * is set, and its message names it; rules that involve several settings run in {@link #build()}.
   * Not thread-safe.
   */
  public static final class Builder {
    private static final String DEFAULT_PREFIX = "latchkey_";

    private @Nullable String jdbcUrl;
    private @Nullable String username;
    private @Nullable String password;
    private @Nullable DataSource dataSource;
    private @Nullable String tablePrefix;
    private boolean migrate = true;
    private @Nullable Integer maximumPoolSize;
    private @Nullable Duration connectionTimeout;
    private @Nullable Duration queryTimeout;

    private Builder() {}

    /**
     * A {@code jdbc:postgresql:} or {@code jdbc:h2:} URL; the store creates a pool over it and
     * closes that pool in {@link JdbcTokenStore#close()}.
     *
     * @throws InvalidArgumentException if blank, of another database, or already set
     */
    public Builder jdbcUrl(String jdbcUrl) {
      if (jdbcUrl == null || jdbcUrl.isBlank()) {
        throw new InvalidArgumentException("jdbcUrl", "must not be null or blank");
      }
      if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
        throw new InvalidArgumentException("jdbcUrl",
            "must start with jdbc:postgresql: or jdbc:h2:");
      }
      if (this.jdbcUrl != null) throw new InvalidArgumentException("jdbcUrl", "was already set");
      if (dataSource != null) {
        throw new InvalidArgumentException("jdbcUrl", "cannot be combined with dataSource");
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /**
     * The user for {@link #jdbcUrl} (when the URL does not name one).
     *
     * @throws InvalidArgumentException if null or already set
     */
    public Builder username(String username) {
      if (username == null) throw new InvalidArgumentException("username", "must not be null");
      if (this.username != null) throw new InvalidArgumentException("username", "was already set");
      this.username = username;
      return this;
    }

    /**
     * The password for {@link #jdbcUrl}; never logged nor put in a message.
     *
     * @throws InvalidArgumentException if null or already set
     */
    public Builder password(String password) {
      if (password == null) throw new InvalidArgumentException("password", "must not be null");
      if (this.password != null) throw new InvalidArgumentException("password", "was already set");
      this.password = password;
      return this;
    }

    /**
     * The host's own pool. The store borrows connections and never closes it; while subscribed
     * to the change feed on PostgreSQL it holds one of its connections.
     *
     * @throws InvalidArgumentException if null, already set, or combined with {@link #jdbcUrl}
     */
    public Builder dataSource(DataSource dataSource) {
      if (dataSource == null) throw new InvalidArgumentException("dataSource", "must not be null");
      if (this.dataSource != null) {
        throw new InvalidArgumentException("dataSource", "was already set");
      }
      if (jdbcUrl != null) {
        throw new InvalidArgumentException("dataSource", "cannot be combined with jdbcUrl");
      }
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Prefix of every table, index, function and channel name: a lowercase letter, then up to 29
     * lowercase letters, digits or {@code _}. Default {@code latchkey_}, giving {@code
     * latchkey_tokens}, {@code latchkey_schema_version} and channel {@code latchkey_changes}.
     *
     * @throws InvalidArgumentException if malformed or already set
     */
    public Builder tablePrefix(String tablePrefix) {
      if (tablePrefix == null || !tablePrefix.matches("[a-z][a-z0-9_]{0,29}")) {
        throw new InvalidArgumentException("tablePrefix",
            "must be a lowercase letter followed by up to 29 lowercase letters, digits or _");
      }
      if (this.tablePrefix != null) {
        throw new InvalidArgumentException("tablePrefix", "was already set to " + this.tablePrefix);
      }
      this.tablePrefix = tablePrefix;
      return this;
    }

    /**
     * Whether {@link #build()} applies the schema migrations shipped in this jar (default true).
     * Turn it off when your own migration tool applies the same scripts.
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * The size of the pool the store creates for {@link #jdbcUrl} (default 10).
     *
     * @throws InvalidArgumentException if not positive or already set
     */
    public Builder maximumPoolSize(int size) {
      if (size < 1) {
        throw new InvalidArgumentException("maximumPoolSize", "must be positive, was " + size);
      }
      if (maximumPoolSize != null) {
        throw new InvalidArgumentException("maximumPoolSize",
            "was already set to " + maximumPoolSize);
      }
      this.maximumPoolSize = size;
      return this;
    }

    /**
     * How long the pool the store creates for {@link #jdbcUrl} waits for a connection before the
     * store reports {@link StoreUnavailableException} (default 5 s, at least 250 ms); also the
     * change feed's connect timeout.
     *
     * @throws InvalidArgumentException if under 250 ms or already set
     */
    public Builder connectionTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 250) {
        throw new InvalidArgumentException("connectionTimeout", "must be at least 250 ms");
      }
      if (connectionTimeout != null) {
        throw new InvalidArgumentException("connectionTimeout",
            "was already set to " + connectionTimeout);
      }
      this.connectionTimeout = timeout;
      return this;
    }

    /**
     * How long one statement may run (waiting for a row lock included) before the database
     * cancels it and the store throws {@link StoreUnavailableException}: a stuck database then
     * holds a validation for this long, not indefinitely. Whole seconds, rounded up; {@link
     * Duration#ZERO} turns it off. Default 10 s. Migrations are not bounded by it.
     *
     * @throws InvalidArgumentException if negative or already set
     */
    public Builder queryTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new InvalidArgumentException("queryTimeout", "must not be null or negative");
      }
      if (queryTimeout != null) {
        throw new InvalidArgumentException("queryTimeout", "was already set to " + queryTimeout);
      }
      this.queryTimeout = timeout;
      return this;
    }

    /**
     * Connects, detects the dialect and, unless turned off, applies migrations.
     *
     * @throws InvalidArgumentException if neither a URL nor a data source was given, or if a
     *     pool setting was given with a data source (configure your pool instead)
     * @throws IllegalArgumentException if the database is neither PostgreSQL nor H2
     * @throws StoreUnavailableException if the database cannot be reached or a migration fails
     */
    public JdbcTokenStore build() {
      if (jdbcUrl == null && dataSource == null) {
        throw new InvalidArgumentException("jdbcUrl", "or dataSource must be set");
      }
      if (dataSource != null) {
        rejectWithDataSource("username", username != null);
        rejectWithDataSource("password", password != null);
        rejectWithDataSource("maximumPoolSize", maximumPoolSize != null);
        rejectWithDataSource("connectionTimeout", connectionTimeout != null);
      }
      String prefix = tablePrefix != null ? tablePrefix : DEFAULT_PREFIX;
      Duration timeout = connectionTimeout != null ? connectionTimeout : Duration.ofSeconds(5);
      HikariDataSource owned = null;
      HikariDataSource ownedUsage = null;
      DataSource ds = dataSource;
      DataSource usageDs = dataSource;
      PgChangeFeed.Connector connector;
      try {
        if (ds == null) {
          String url = Objects.requireNonNull(jdbcUrl);
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(url);
          if (username != null) config.setUsername(username);
          if (password != null) config.setPassword(password);
          config.setMaximumPoolSize(maximumPoolSize != null ? maximumPoolSize : 10);
          config.setConnectionTimeout(timeout.toMillis());
          config.setValidationTimeout(Math.min(timeout.toMillis(), 1_000));
          config.setPoolName("latchkey-" + prefix);
          owned = new HikariDataSource(config);
          ds = owned;
          // One connection for usage writes, opened on the first flush: a flush of a million
          // tokens then never holds the connections validation reads with.
          HikariConfig usage = new HikariConfig();
          config.copyStateTo(usage);
          usage.setPoolName("latchkey-usage-" + prefix);
          usage.setMaximumPoolSize(1);
          usage.setMinimumIdle(0);
          usage.setInitializationFailTimeout(-1);
          ownedUsage = new HikariDataSource(usage);
          usageDs = ownedUsage;
          connector = PgChangeFeed.driverConnector(url, username, password, timeout,
              "latchkey-feed:" + prefix + "changes");
        } else {
          DataSource host = ds;
          connector = host::getConnection;
        }
        Jdbi jdbi = jdbi(ds);
        Jdbi usageJdbi = jdbi(Objects.requireNonNull(usageDs));
        Dialect dialect = jdbi.withHandle(
            h -> Dialect.of(h.getConnection().getMetaData().getDatabaseProductName()));
        if (migrate) Migrations.apply(jdbi, dialect, prefix);
        DataSource source = ds;
        return new JdbcTokenStore(jdbi, () -> autoCommitting(source.getConnection()),
            queryTimeoutSeconds(), usageJdbi, dialect, prefix, owned, ownedUsage, connector);
      } catch (IllegalArgumentException | LatchkeyException e) {
        closeAll(owned, ownedUsage);
        throw e;
      } catch (RuntimeException | SQLException e) {
        closeAll(owned, ownedUsage);
        throw Failures.startFailed(e);
      }
    }

    private static void closeAll(@Nullable HikariDataSource... pools) {
      for (HikariDataSource p : pools) if (p != null) p.close();
    }

    private Jdbi jdbi(DataSource source) {
      Jdbi jdbi = Jdbi.create(() -> autoCommitting(source.getConnection()));
      // Never render bound values into exception messages: one of them is a hash.
      jdbi.getConfig(StatementExceptions.class).setMessageRendering(MessageRendering.NONE);
      int seconds = queryTimeoutSeconds();
      jdbi.getConfig(SqlStatements.class).setQueryTimeout(seconds == 0 ? null : seconds);
      return jdbi;
    }

    /** The query timeout in whole seconds, rounded up; 0 for none. */
    private int queryTimeoutSeconds() {
      Duration perStatement = queryTimeout != null ? queryTimeout : Duration.ofSeconds(10);
      long seconds = (perStatement.toMillis() + 999) / 1000;
      return (int) Math.min(seconds, Integer.MAX_VALUE);
    }

    /**
     * Each statement commits on its own unless the store opens a transaction. A host's pool may
     * hand out connections without auto-commit; the store's writes would then be rolled back when
     * the connection went back to the pool (which restores the host's setting). On an idle
     * connection the switch costs no round trip.
     */
    private static Connection autoCommitting(Connection c) throws SQLException {
      try {
        if (!c.getAutoCommit()) c.setAutoCommit(true);
        return c;
      } catch (SQLException e) {
        try {
          c.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    private static void rejectWithDataSource(String field, boolean set) {
      if (set) {
        throw new InvalidArgumentException(field,
            "applies only to the pool built from jdbcUrl: configure it on your dataSource");
      }
    }
  }
}
