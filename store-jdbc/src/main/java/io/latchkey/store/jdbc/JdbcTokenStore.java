package io.latchkey.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.AuditEntry;
import io.latchkey.InvalidArgumentException;
import io.latchkey.LatchkeyException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.RevocationWatermarks;
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
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.ObjectArgument;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;
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
 * <p>A write is acknowledged only once the database has it: on H2, whose file mode by default
 * writes committed changes up to half a second later, the store sets {@code WRITE_DELAY} to 0 on
 * start (or refuses to start if its user may not), so a process crash after a call returns never
 * loses that call's change.
 *
 * <p>Every method throws {@link StoreUnavailableException} when the database cannot be reached,
 * a statement fails, or a statement outlives the {@linkplain Builder#queryTimeout query timeout};
 * a write that throws leaves the row as it was. Messages never carry a bound value (a hash).
 * Thread-safe.
 */
public final class JdbcTokenStore implements TokenStore {
  private static final String COLUMNS = "id, workspace, name, description, hint, key_id, hash, "
      + "state, permissions, allowed_ips, metadata, created_at, created_by, updated_at, "
      + "expires_at, lifetime_ms, last_used_at, last_used_ip, last_used_integration, version, "
      + "imported_at_ms";

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
  private final @Nullable ReconnectingDataSource reconnecting;
  private final @Nullable PgChangeFeed feed;
  private final String insertSql;
  private final String findSql;
  private final String replaceSql;
  private final String deleteSql;
  private final String listFirstSql;
  private final String listAfterSql;
  private final String usageSql;
  private final String auditInsertSql;
  private final String auditTable;
  private final String watermarkTable;
  private final String coveredCountSql;
  private volatile boolean closed;
  /** Set for an H2 file database this store opened from a URL: compacted in {@link #close()}. */
  private volatile @Nullable Runnable compactOnClose;
  /** Detects the dialect and migrates, for a store built while the database was down; or null. */
  private final @Nullable Runnable start;
  private final ReentrantLock startLock = new ReentrantLock();
  private volatile boolean started;

  private JdbcTokenStore(Jdbi jdbi, ConnectionSource connections, int queryTimeoutSeconds,
      Jdbi usageJdbi, Dialect dialect, String prefix, @Nullable HikariDataSource ownedPool,
      @Nullable HikariDataSource ownedUsagePool, @Nullable ReconnectingDataSource reconnecting,
      PgChangeFeed.@Nullable Connector feedConnector, Duration feedWait,
      @Nullable Runnable start) {
    this.jdbi = jdbi;
    this.connections = connections;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
    this.usageJdbi = usageJdbi;
    this.start = start;
    this.started = start == null;
    this.reconnecting = reconnecting;
    this.dialect = dialect;
    this.prefix = prefix;
    this.ownedPool = ownedPool;
    this.ownedUsagePool = ownedUsagePool;
    this.feed = dialect.changeFeed && feedConnector != null
        ? new PgChangeFeed(feedConnector, prefix + "changes", feedWait) : null;
    String table = prefix + "tokens";
    String json = dialect.jsonParameter;
    this.insertSql = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        + json + ", " + json + ", " + json + ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
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
    this.auditTable = prefix + "audit";
    this.watermarkTable = prefix + "revocation_watermarks";
    // RevocationWatermarks.covers as ranges: a version-1 id (and, before tags, a version-0 id)
    // starts with its issue time, so those are id ranges of the (workspace, id) index; an imported
    // key compares imported_at_ms.
    this.coveredCountSql = "SELECT COUNT(*) FROM " + table + " WHERE workspace = ? AND state <> "
        + "'REVOKED' AND ((imported_at_ms IS NULL AND ((id >= ? AND id < ?) OR (id >= ? AND id < ?)"
        // an id of neither version (not minted by Latchkey) counts as written at the epoch
        + " OR ((id < '0' OR id >= '2') AND ? <= 0 AND ? > 0)))"
        + " OR (imported_at_ms >= ? AND imported_at_ms < ?))";
    this.auditInsertSql = "INSERT INTO " + auditTable
        + " (id, token_id, workspace, at, actor, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)";
    this.usageSql = "UPDATE " + table + " SET last_used_at = ?, last_used_ip = ?, "
        + "last_used_integration = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)";
  }

  /**
   * A store over the database at {@code jdbcUrl} ({@code jdbc:postgresql://…}, {@code
   * jdbc:h2:file:…}, {@code jdbc:h2:mem:…}), with its own connection pool and migrations applied.
   *
   * @throws InvalidArgumentException if the URL is not a PostgreSQL or H2 JDBC URL
   * @throws StoreUnavailableException if the database cannot be reached or a migration fails
   * @param jdbcUrl the database URL
   * @return the open store; closing it closes its pool
   */
  public static JdbcTokenStore create(String jdbcUrl) {
    return builder().jdbcUrl(jdbcUrl).build();
  }

  /**
   * A builder; give it {@link Builder#jdbcUrl} or {@link Builder#dataSource}.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The detected database: {@code "postgresql"} or {@code "h2"}.
   *
   * @return {@code "postgresql"} or {@code "h2"}
   */
  public String dialect() {
    return dialect.migrations;
  }

  /**
   * The table-name prefix.
   *
   * @return the prefix of this store's table names
   */
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
    return insert(r, null);
  }

  /**
   * {@inheritDoc} The entry is written in the same transaction as the row.
   *
   * @throws InvalidArgumentException if a text field holds U+0000 or an unpaired surrogate, which
   *     the database cannot store faithfully (nothing is written)
   */
  @Override
  public boolean insert(TokenRecord r, @Nullable AuditEntry audit) {
    Objects.requireNonNull(r, "record == null");
    StorableValues.check(r);
    if (audit != null) StorableValues.check(audit);
    started("insert");
    try {
      return jdbi.inTransaction(h -> {
        Update u = h.createUpdate(insertSql);
        int i = 0;
        u.bind(i++, r.id());
        i = bindContent(u, i, r);
        bindInstant(u, i++, r.lastUsedAt());
        u.bind(i++, r.lastUsedIp());
        u.bind(i++, r.lastUsedIntegration());
        u.bind(i++, r.version());
        Instant imported = r.importedAt();
        u.bind(i, imported == null ? null : imported.toEpochMilli());
        // A duplicate id throws (and rolls back); the entry is written only after the row.
        return u.execute() == 1 && audited(h, audit);
      });
    } catch (JdbiException e) {
      if (Failures.isUniqueViolation(e)) return false;
      throw Failures.unavailable("insert", e);
    }
  }

  /** Binds workspace … lifetime_ms, in column order; returns the next index. */
  private static int bindContent(SqlStatement<?> u, int i, TokenRecord r) {
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
    started("find");
    // Plain JDBC (no Jdbi handle, mapper or argument objects on the validation path), with the
    // same connection setup as Jdbi's (network timeout, auto-commit) and the same retry of a read
    // whose connection was dropped under it.
    long begin = System.nanoTime();
    while (true) {
      try (Connection c = connections.open();
           PreparedStatement ps = c.prepareStatement(findSql)) {
        // On PostgreSQL the socket timeout every borrowed connection gets (queryTimeout + 0.5 s)
        // bounds this read: pgjdbc's query timeout costs a timer task and a wake-up of its timer
        // thread per statement, 15 % of a cache miss (benchmarks/README.md), to cancel a
        // primary-key read that a live database never runs that long.
        if (queryTimeoutSeconds > 0 && dialect != Dialect.POSTGRESQL) {
          ps.setQueryTimeout(queryTimeoutSeconds);
        }
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(map(rs, null)) : Optional.empty();
        }
      } catch (SQLException | RuntimeException e) {
        if (e instanceof StoreUnavailableException unavailable) throw unavailable;
        if (!retriable(begin, e)) throw Failures.unavailable("find", e);
      }
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
    return replace(updated, expectedVersion, null);
  }

  /**
   * {@inheritDoc} The entry is written in the same transaction, only if the row was replaced.
   *
   * @throws InvalidArgumentException if a text field holds U+0000 or an unpaired surrogate, which
   *     the database cannot store faithfully (nothing is written)
   */
  @Override
  public boolean replace(TokenRecord updated, long expectedVersion, @Nullable AuditEntry audit) {
    Objects.requireNonNull(updated, "updated == null");
    StorableValues.check(updated);
    if (audit != null) StorableValues.check(audit);
    started("replace");
    try {
      return jdbi.inTransaction(h -> {
        Update u = h.createUpdate(replaceSql);
        int i = bindContent(u, 0, updated);
        u.bind(i++, updated.version());
        u.bind(i++, updated.id());
        u.bind(i, expectedVersion);
        return u.execute() == 1 && audited(h, audit);
      });
    } catch (JdbiException e) {
      throw Failures.unavailable("replace", e);
    }
  }

  /**
   * {@inheritDoc} Here one transaction: one JDBC batch of compare-and-set updates, then one batch
   * inserting the entries of exactly the rows updated. A failure rolls all of it back, so nothing
   * is written when it throws.
   *
   * @throws InvalidArgumentException if a text field holds U+0000 or an unpaired surrogate, which
   *     the database cannot store faithfully (nothing is written)
   */
  @Override
  public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
      @Nullable List<AuditEntry> audits) {
    TokenStore.checkReplaceEach(updated, expectedVersions, audits);
    for (TokenRecord r : updated) StorableValues.check(r);
    if (audits != null) for (AuditEntry a : audits) StorableValues.check(a);
    boolean[] written = new boolean[updated.size()];
    if (written.length == 0) return written;
    started("replaceEach");
    try {
      jdbi.useTransaction(h -> {
        PreparedBatch batch = h.prepareBatch(replaceSql);
        for (int i = 0; i < written.length; i++) {
          TokenRecord r = updated.get(i);
          int at = bindContent(batch, 0, r);
          batch.bind(at++, r.version()).bind(at++, r.id()).bind(at, expectedVersions[i]).add();
        }
        int[] counts = batch.execute();
        PreparedBatch entries = audits == null ? null : h.prepareBatch(auditInsertSql);
        for (int i = 0; i < written.length; i++) {
          // A driver may answer SUCCESS_NO_INFO (-2) for a row it cannot count: never here (H2 and
          // PostgreSQL count each statement), but then the element would read as not written.
          written[i] = counts[i] == 1;
          if (written[i] && entries != null) {
            AuditEntry e = audits.get(i);
            entries.bind(0, e.id()).bind(1, e.tokenId().value()).bind(2, e.workspace());
            bindInstant(entries, 3, e.at());
            entries.bind(4, e.actor()).bind(5, e.action().name()).bind(6, e.detail()).add();
          }
        }
        if (entries != null && entries.size() > 0) entries.execute();
      });
      return written;
    } catch (JdbiException e) {
      throw Failures.unavailable("replaceEach", e);
    }
  }

  @Override
  public boolean delete(String id) {
    return delete(id, null);
  }

  /** {@inheritDoc} The entry is written in the same transaction, only if a row was deleted. */
  @Override
  public boolean delete(String id, @Nullable AuditEntry audit) {
    Objects.requireNonNull(id, "id == null");
    if (audit != null) StorableValues.check(audit);
    started("delete");
    try {
      return jdbi.inTransaction(h -> h.createUpdate(deleteSql).bind(0, id).execute() == 1
          && audited(h, audit));
    } catch (JdbiException e) {
      throw Failures.unavailable("delete", e);
    }
  }

  /** Writes the entry in the caller's transaction; true (the change stands). */
  private boolean audited(Handle h, @Nullable AuditEntry e) {
    if (e == null) return true;
    Update u = h.createUpdate(auditInsertSql)
        .bind(0, e.id())
        .bind(1, e.tokenId().value())
        .bind(2, e.workspace());
    bindInstant(u, 3, e.at());
    try {
      u.bind(4, e.actor()).bind(5, e.action().name()).bind(6, e.detail()).execute();
    } catch (JdbiException failed) {
      // Not a JdbiException any more: insert must not read a duplicate entry id as a duplicate
      // token id. The transaction rolls back either way.
      throw Failures.unavailable("audit entry", failed);
    }
    return true;
  }

  @Override
  public boolean keepsAuditTrail() {
    return true;
  }

  @Override
  public List<AuditEntry> history(String tokenId, @Nullable String beforeId, int limit) {
    Objects.requireNonNull(tokenId, "tokenId == null");
    if (RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID.equals(tokenId) && limit >= 1) {
      return List.of(); // a revoke-all's workspace entry is no token's: workspaceHistory has it
    }
    return auditPage("token_id", tokenId, beforeId, limit);
  }

  @Override
  public List<AuditEntry> workspaceHistory(String workspace, @Nullable String beforeId,
      int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    return auditPage("workspace", workspace, beforeId, limit);
  }

  private List<AuditEntry> auditPage(String column, String value, @Nullable String beforeId,
      int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    String sql = "SELECT id, token_id, workspace, at, actor, action, detail FROM " + auditTable
        + " WHERE " + column + " = ?" + (beforeId == null ? "" : " AND id < ?")
        + " ORDER BY id DESC LIMIT ?";
    try {
      return jdbi.withHandle(h -> {
        var q = h.createQuery(sql).bind(0, value);
        if (beforeId != null) q.bind(1, beforeId);
        return q.bind(beforeId == null ? 1 : 2, limit).map(AUDIT_ROWS).list();
      });
    } catch (JdbiException e) {
      throw Failures.unavailable("history", e);
    }
  }

  @Override
  public void pruneAuditTrail(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff == null");
    try {
      jdbi.useHandle(h -> {
        Update u = h.createUpdate("DELETE FROM " + auditTable + " WHERE at < ?");
        bindInstant(u, 0, cutoff);
        u.execute();
      });
    } catch (JdbiException e) {
      throw Failures.unavailable("pruneAuditTrail", e);
    }
  }

  private static final RowMapper<AuditEntry> AUDIT_ROWS = (rs, ctx) -> {
    try {
      return new AuditEntry(rs.getString("id"), instant(rs, "at"), rs.getString("actor"),
          rs.getString("workspace"), new TokenId(rs.getString("token_id")),
          TokenEvent.Type.valueOf(rs.getString("action")), rs.getString("detail"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new StoreUnavailableException("JDBC token store holds a malformed audit row "
          + rs.getString("id") + " (" + e.getClass().getSimpleName() + ")", null);
    }
  };

  @Override
  public boolean keepsRevocationWatermarks() {
    return true;
  }

  @Override
  public int raiseRevocationWatermark(String workspace, Instant watermark) {
    return raise(workspace, watermark, null);
  }

  /** {@inheritDoc} The entry is written in the same transaction, only if the watermark rose. */
  @Override
  public int raiseRevocationWatermark(String workspace, Instant watermark, AuditEntry audit) {
    Objects.requireNonNull(audit, "audit == null");
    return raise(workspace, watermark, audit);
  }

  /**
   * One transaction: lock (or create) the workspace's watermark row, count the rows the raise
   * covers, raise it, write the entry. On PostgreSQL the row's trigger notifies the feed at
   * commit. Two first raises of a workspace at once: the loser's insert fails on the primary key
   * and it runs again, then finding the row.
   */
  private int raise(String workspace, Instant watermark, @Nullable AuditEntry audit) {
    Objects.requireNonNull(workspace, "workspace == null");
    Objects.requireNonNull(watermark, "watermark == null");
    if (audit != null) StorableValues.check(audit);
    started("raiseRevocationWatermark");
    long to = watermark.toEpochMilli();
    for (int attempt = 1; ; attempt++) {
      try {
        return jdbi.inTransaction(h -> {
          Optional<Long> old = h.createQuery("SELECT watermark_ms FROM " + watermarkTable
                  + " WHERE workspace = ? FOR UPDATE")
              .bind(0, workspace).mapTo(Long.class).findOne();
          if (old.isPresent() && old.get() >= to) return 0;
          long from = old.orElse(Long.MIN_VALUE);
          Instant fromInstant = Instant.ofEpochMilli(Math.max(0, from));
          int count = h.createQuery(coveredCountSql)
              .bind(0, workspace)
              .bind(1, io.latchkey.spi.RevocationWatermarks.idBound(fromInstant))
              .bind(2, io.latchkey.spi.RevocationWatermarks.idBound(watermark))
              .bind(3, io.latchkey.spi.RevocationWatermarks.legacyIdBound(fromInstant))
              .bind(4, io.latchkey.spi.RevocationWatermarks.legacyIdBound(watermark))
              .bind(5, from)
              .bind(6, to)
              .bind(7, from)
              .bind(8, to)
              .mapTo(Long.class).one().intValue();
          if (old.isPresent()) {
            h.createUpdate("UPDATE " + watermarkTable + " SET watermark_ms = ? WHERE workspace = ?")
                .bind(0, to).bind(1, workspace).execute();
          } else {
            h.createUpdate("INSERT INTO " + watermarkTable + " (workspace, watermark_ms) VALUES (?, ?)")
                .bind(0, workspace).bind(1, to).execute();
          }
          if (audit != null) {
            audited(h, io.latchkey.spi.RevocationWatermarks.withCount(audit, count));
          }
          return count;
        });
      } catch (JdbiException e) {
        if (attempt < 3 && Failures.isUniqueViolation(e)) continue; // a concurrent first raise
        throw Failures.unavailable("raiseRevocationWatermark", e);
      }
    }
  }

  @Override
  public Optional<Instant> revocationWatermark(String workspace) {
    Objects.requireNonNull(workspace, "workspace == null");
    started("revocationWatermark");
    return retryingRead("revocationWatermark", () -> jdbi.withHandle(h -> h.createQuery(
            "SELECT watermark_ms FROM " + watermarkTable + " WHERE workspace = ?")
        .bind(0, workspace).mapTo(Long.class).findOne().map(Instant::ofEpochMilli)));
  }

  @Override
  public java.util.Map<String, Instant> revocationWatermarks() {
    started("revocationWatermarks");
    return retryingRead("revocationWatermarks", () -> jdbi.withHandle(h -> {
      java.util.Map<String, Instant> all = new java.util.HashMap<>();
      h.createQuery("SELECT workspace, watermark_ms FROM " + watermarkTable)
          .map((rs, ctx) -> java.util.Map.entry(rs.getString(1), rs.getLong(2)))
          .forEach(e -> all.put(e.getKey(), Instant.ofEpochMilli(e.getValue())));
      return all;
    }));
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new InvalidArgumentException("limit", "must be at least 1, was " + limit);
    started("list");
    return retryingRead("list", () -> jdbi.withHandle(h -> afterId == null
        ? h.createQuery(listFirstSql).bind(0, workspace).bind(1, limit).map(ROWS).list()
        : h.createQuery(listAfterSql).bind(0, workspace).bind(1, afterId).bind(2, limit)
            .map(ROWS).list()));
  }

  /**
   * Returns at once once the store has started. A store built while the database was down starts
   * on the first call after it is back: one call at a time detects the dialect and migrates (its
   * wait for a connection bounded by the connection timeout), and the others fail at once.
   */
  private void started(String operation) {
    if (started) return;
    if (!startLock.tryLock()) {
      throw new StoreUnavailableException("JDBC token store unreachable during " + operation
          + ": not started yet", null);
    }
    try {
      if (started) return;
      try {
        Objects.requireNonNull(start).run();
      } catch (LatchkeyException | IllegalArgumentException e) {
        throw e;
      } catch (RuntimeException e) {
        throw Failures.startFailed(e);
      }
      started = true;
    } finally {
      startLock.unlock();
    }
  }

  /**
   * Runs an idempotent read, again on another connection if its connection was found dead within
   * {@link Builder#NETWORK_GRACE_MILLIS}: terminated by the server ({@code pg_terminate_backend},
   * a restart) or reset. The pool discards each dead connection, so after a restart that killed
   * them all, the reads walk through them in a few milliseconds. A slow failure (a timeout) is
   * not retried, so retries add at most that grace to the documented bound.
   */
  private <T> T retryingRead(String operation, java.util.function.Supplier<T> read) {
    long started = System.nanoTime();
    while (true) {
      try {
        return read.get();
      } catch (JdbiException e) {
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        if (elapsedMillis >= Builder.NETWORK_GRACE_MILLIS || !Failures.isDroppedConnection(e)) {
          throw Failures.unavailable(operation, e);
        }
      }
    }
  }

  /** Whether a failed read that began at {@code beginNanos} may run again (see retryingRead). */
  private static boolean retriable(long beginNanos, Throwable e) {
    long elapsedMillis = (System.nanoTime() - beginNanos) / 1_000_000;
    return elapsedMillis < Builder.NETWORK_GRACE_MILLIS && Failures.isDroppedConnection(e);
  }

  /** The revoke-all count (parameters as {@code raise} binds them); for the plan tests. */
  String coveredCountSql() {
    return coveredCountSql;
  }

  /** The keyset listing query, first page or after a cursor; for the plan tests. */
  String listSql(boolean afterCursor) {
    return afterCursor ? listAfterSql : listFirstSql;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    if (updates.isEmpty()) return;
    started("applyUsage");
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
   * subscribers; on H2, none. The first subscription waits until the feed listens, so that no
   * change made after it returns is missed: up to the {@linkplain Builder#connectionTimeout
   * connection timeout} (5 s with a host {@link DataSource}).
   *
   * @throws StoreUnavailableException if the feed is not listening by then (the database cannot
   *     be reached; the feed keeps trying, and a later call may succeed)
   * @throws StoreUnavailableException if the store is closed
   */
  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    if (closed) throw new StoreUnavailableException("JdbcTokenStore is closed", null);
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
    if (reconnecting != null) reconnecting.close(); // ends an attempt the pools would wait for
    if (ownedUsagePool != null) ownedUsagePool.close();
    if (ownedPool != null) ownedPool.close();
    if (compactOnClose != null) compactOnClose.run();
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
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException
        | LatchkeyException e) {
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
        .importedAt(millis(rs, 21))
        .build();
  }

  /** Null for a row written before migration V4, which core then derives. */
  private static @Nullable Duration duration(ResultSet rs, int column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Duration.ofMillis(millis);
  }

  private static @Nullable Instant millis(ResultSet rs, int column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /** Where {@link #find} gets a connection (auto-committing, like Jdbi's). */
  @FunctionalInterface
  private interface ConnectionSource {
    Connection open() throws SQLException;
  }

  private static void bindInstant(SqlStatement<?> u, int index, @Nullable Instant instant) {
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
    /** How much longer than the query timeout a PostgreSQL socket read may wait. */
    static final int NETWORK_GRACE_MILLIS = 500;

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
     * @param jdbcUrl the database URL
     * @return this builder
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
     * @param username the database user
     * @return this builder
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
     * @param password the database password; never logged
     * @return this builder
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
     * @param dataSource the host's pool; the store never closes it
     * @return this builder
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
     * @param tablePrefix the prefix of the table names
     * @return this builder
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
     *
     * @param migrate false to leave the schema to the host's migration tool
     * @return this builder
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /**
     * The size of the pool the store creates for {@link #jdbcUrl} (default 10).
     *
     * @throws InvalidArgumentException if not positive or already set
     * @param size the most connections the store's own pool opens
     * @return this builder
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
     * @param timeout the longest wait for a connection
     * @return this builder
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
     * @param timeout the longest a statement may run
     * @return this builder
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
     * <p>A PostgreSQL {@link #jdbcUrl} whose database cannot be reached (refused, no answer
     * within the connection timeout) does not fail the build: the store is returned, calls throw
     * {@link StoreUnavailableException}, and the first call after the database is back detects
     * the dialect and migrates; the pool refills within about 100 ms of its return. A host
     * starting during an outage thus starts, as it does on every Latchkey store. A host {@link
     * #dataSource} must be reachable: the dialect is read from it.
     *
     * @throws InvalidArgumentException if neither a URL nor a data source was given, or if a
     *     pool setting was given with a data source (configure your pool instead)
     * @throws InvalidArgumentException if the database is neither PostgreSQL nor H2
     * @throws StoreUnavailableException if the database refuses the login, a migration fails, or
     *     a host data source cannot be reached
     * @return the open store
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
      ReconnectingDataSource reconnecting = null;
      DataSource ds = dataSource;
      DataSource usageDs = dataSource;
      PgChangeFeed.Connector connector;
      boolean lazy = false;
      try {
        if (ds == null) {
          String url = Objects.requireNonNull(jdbcUrl);
          HikariConfig config = new HikariConfig();
          config.setMaximumPoolSize(maximumPoolSize != null ? maximumPoolSize : 10);
          config.setConnectionTimeout(timeout.toMillis());
          config.setValidationTimeout(Math.min(timeout.toMillis(), 1_000));
          config.setPoolName("latchkey-" + prefix);
          if (url.startsWith("jdbc:postgresql:")) {
            Properties props = new Properties();
            if (username != null) props.setProperty("user", username);
            if (password != null) props.setProperty("password", password);
            // A new connection to a frozen server must not block the pool's filler longer than
            // a caller may wait for a connection: bound the TCP connect and the login.
            String secs = Long.toString(Math.max(1, (timeout.toMillis() + 999) / 1000));
            props.setProperty("connectTimeout", secs);
            props.setProperty("loginTimeout", secs);
            // The query timeout is enforced by a cancel request on a new connection, and the
            // statement's thread waits for that request to finish: on a frozen server it would
            // wait pgjdbc's default 10 s.
            props.setProperty("cancelSignalTimeout", "1");
            props.setProperty("tcpKeepAlive", "true");
            reconnecting = new ReconnectingDataSource(url, props);
            config.setDataSource(reconnecting);
          } else {
            config.setJdbcUrl(url);
            if (username != null) config.setUsername(username);
            if (password != null) config.setPassword(password);
          }
          try {
            owned = new HikariDataSource(config);
          } catch (RuntimeException e) {
            // Unreachable (refused, no answer): build anyway and let the pool fill when the
            // database is back. A refused login or an unknown database still fails here.
            if (reconnecting == null || !Failures.isUnreachable(e)) throw e;
            config.setInitializationFailTimeout(-1);
            reconnecting.started();
            owned = new HikariDataSource(config);
            lazy = true;
          }
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
        DataSource source = ds;
        DataSource usageSource = Objects.requireNonNull(usageDs);
        Duration perStatement = queryTimeout != null ? queryTimeout : Duration.ofSeconds(10);
        long seconds = (perStatement.toMillis() + 999) / 1000;
        // Set once the dialect is known: H2 runs in-process and has no socket to bound.
        AtomicInteger networkMillis = new AtomicInteger();
        Jdbi jdbi = jdbi(() -> prepared(source.getConnection(), networkMillis.get()));
        Jdbi usageJdbi = jdbi(() -> prepared(usageSource.getConnection(), networkMillis.get()));
        ConnectionSource connections = () -> prepared(source.getConnection(), networkMillis.get());
        int network = networkTimeoutMillis(seconds);
        int querySeconds = (int) Math.min(seconds, Integer.MAX_VALUE);
        Integer statementSeconds = seconds == 0 ? null : querySeconds;
        boolean migrateNow = migrate;
        AtomicReference<Dialect> detected = new AtomicReference<>();
        Runnable start = () -> {
          Dialect found;
          try {
            found = jdbi.withHandle(
                h -> Dialect.of(h.getConnection().getMetaData().getDatabaseProductName()));
          } catch (SQLException e) {
            throw Failures.startFailed(e);
          }
          if (found == Dialect.H2) H2Durability.apply(jdbi);
          if (migrateNow) Migrations.apply(jdbi, found, prefix);
          jdbi.getConfig(SqlStatements.class).setQueryTimeout(statementSeconds);
          usageJdbi.getConfig(SqlStatements.class).setQueryTimeout(statementSeconds);
          if (found == Dialect.POSTGRESQL) networkMillis.set(network);
          detected.set(found);
        };
        PgChangeFeed.Connector feedConnector =
            network == 0 ? connector : bounded(connector, network);
        if (!lazy) {
          start.run();
          if (reconnecting != null) reconnecting.started();
          JdbcTokenStore store = new JdbcTokenStore(jdbi, connections, querySeconds, usageJdbi,
              Objects.requireNonNull(detected.get()), prefix, owned, ownedUsage, reconnecting,
              feedConnector, timeout, null);
          if (owned != null && detected.get() == Dialect.H2
              && H2Durability.isLocalFile(Objects.requireNonNull(jdbcUrl))) {
            String url = jdbcUrl;
            String user = username;
            String pw = password;
            store.compactOnClose = () -> H2Durability.compact(url, user, pw);
          }
          return store;
        }
        // PostgreSQL from our own URL, unreachable now: the store starts (dialect check and
        // migrations) on the first call after the database is back.
        return new JdbcTokenStore(jdbi, connections, querySeconds, usageJdbi, Dialect.POSTGRESQL,
            prefix, owned, ownedUsage, reconnecting, feedConnector, timeout, start);
      } catch (IllegalArgumentException | LatchkeyException e) {
        closeAll(reconnecting, owned, ownedUsage);
        throw e;
      } catch (RuntimeException e) {
        closeAll(reconnecting, owned, ownedUsage);
        throw Failures.startFailed(e);
      }
    }

    private static void closeAll(@Nullable ReconnectingDataSource reconnecting,
        @Nullable HikariDataSource... pools) {
      if (reconnecting != null) reconnecting.close();
      for (HikariDataSource p : pools) if (p != null) p.close();
    }

    /** A Jdbi over prepared connections; its query timeout is set when the store starts. */
    private static Jdbi jdbi(org.jdbi.v3.core.ConnectionFactory connections) {
      Jdbi jdbi = Jdbi.create(connections);
      // Never render bound values into exception messages: one of them is a hash.
      jdbi.getConfig(StatementExceptions.class).setMessageRendering(MessageRendering.NONE);
      return jdbi;
    }

    /**
     * The socket read timeout of every PostgreSQL connection the store uses: the query timeout,
     * rounded up to whole seconds, plus {@link #NETWORK_GRACE_MILLIS}. A live server cancels a
     * statement at the query timeout and answers at once; a frozen or unreachable one never
     * answers, and neither the cancel (sent on a new connection) nor the query timeout ends the
     * wait for its reply: only the socket timeout does. (The cancel itself is bounded by pgjdbc's
     * {@code cancelSignalTimeout}, 1 s on the store's own pool.) Zero (no bound) when the query
     * timeout is off.
     */
    static int networkTimeoutMillis(long querySeconds) {
      if (querySeconds == 0) return 0;
      return (int) Math.min(Integer.MAX_VALUE, querySeconds * 1000 + NETWORK_GRACE_MILLIS);
    }

    /** The feed's connections get the same socket timeout, whoever opens them. */
    private static PgChangeFeed.Connector bounded(PgChangeFeed.Connector connector, int millis) {
      return () -> {
        Connection c = connector.connect();
        try {
          c.setNetworkTimeout(Runnable::run, millis);
          return c;
        } catch (SQLException e) {
          closeQuietly(c, e);
          throw e;
        }
      };
    }

    /**
     * Bounds every read on the connection's socket by {@code networkMillis} (none if 0), through
     * the standard {@link Connection#setNetworkTimeout}, so it holds for a host's pool as for ours
     * (HikariCP restores the pool's own value when the connection goes back). Then makes it
     * auto-committing (see {@link #autoCommitting}).
     */
    private static Connection prepared(Connection c, int networkMillis) throws SQLException {
      if (networkMillis > 0) {
        try {
          c.setNetworkTimeout(Runnable::run, networkMillis);
        } catch (SQLException e) {
          closeQuietly(c, e);
          throw e;
        }
      }
      return autoCommitting(c);
    }

    private static void closeQuietly(Connection c, SQLException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
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
