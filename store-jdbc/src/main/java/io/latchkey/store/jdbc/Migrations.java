package io.latchkey.store.jdbc;

import io.latchkey.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.SqlStatements;

/**
 * Applies the versioned SQL scripts shipped in this jar ({@code migrations/<dialect>/V<n>__*.sql})
 * and records each in {@code <prefix>schema_version}. Applying twice is a no-op. On PostgreSQL the
 * whole run holds a transaction-scoped advisory lock, so instances starting at once apply each
 * version exactly once; H2 is embedded in one process, where a JVM-wide lock does the same.
 */
final class Migrations {
  /** The scripts, in order. Add new ones at the end; never edit a released one. */
  static final List<String> SCRIPTS = List.of(
      "V1__tokens.sql", "V2__change_feed.sql", "V3__id_order_and_feed.sql",
      "V4__lifetime.sql",
      // V5 was written after V6 and V7; each version is applied once, whenever it is missing,
      // so a database at V7 gets V5 alone (and then V8).
      "V5__revocation_watermarks.sql", "V6__audit_trail.sql", "V7__legacy_keys.sql",
      "V8__feed_commit_time.sql", "V9__covering_workspace_index.sql");
  private static final Object H2_LOCK = new Object();

  private Migrations() {}

  /** Applies missing versions; returns the versions applied by this call. */
  static List<Integer> apply(Jdbi jdbi, Dialect dialect, String prefix) {
    return apply(jdbi, dialect, prefix, SCRIPTS);
  }

  /** Applies the missing versions among {@code scripts} (tests use a prefix of the list). */
  static List<Integer> apply(Jdbi jdbi, Dialect dialect, String prefix, List<String> scripts) {
    if (dialect == Dialect.H2) {
      synchronized (H2_LOCK) {
        return jdbi.inTransaction(h -> run(unbounded(h), dialect, prefix, scripts));
      }
    }
    return jdbi.inTransaction(h -> {
      // Waits for another instance's migration however long it takes.
      unbounded(h).execute("SELECT pg_advisory_xact_lock(?)", lockKey(prefix));
      return run(h, dialect, prefix, scripts);
    });
  }

  /** The store's per-statement timeout is for token operations, not for a schema change. */
  private static Handle unbounded(Handle h) {
    h.getConfig(SqlStatements.class).setQueryTimeout(null); // this handle's copy only
    return h;
  }

  private static List<Integer> run(Handle h, Dialect dialect, String prefix,
      List<String> scripts) {
    h.execute("CREATE TABLE IF NOT EXISTS " + prefix + "schema_version ("
        + "version INTEGER PRIMARY KEY, script VARCHAR(200) NOT NULL, "
        + "applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
    Set<Integer> applied = new TreeSet<>(h.createQuery(
        "SELECT version FROM " + prefix + "schema_version").mapTo(Integer.class).list());
    List<Integer> now = new ArrayList<>();
    for (String script : scripts) {
      int version = Integer.parseInt(script.substring(1, script.indexOf("__")));
      if (applied.contains(version)) continue;
      String sql = load(dialect, script).replace("${prefix}", prefix);
      try {
        if (dialect == Dialect.POSTGRESQL) {
          // One simple-protocol execute runs the whole script, dollar-quoted bodies included.
          try (Statement st = h.getConnection().createStatement()) {
            st.execute(sql);
          }
        } else {
          h.createScript(sql).execute();
        }
      } catch (SQLException | JdbiException e) {
        // Scripts bind no token data, so the driver's message is safe to show, and needed.
        Throwable cause = e instanceof JdbiException && e.getCause() != null ? e.getCause() : e;
        throw new StoreUnavailableException("JDBC token store failed during start: migration "
            + dialect.migrations + "/" + script + " failed: " + cause.getMessage(), cause);
      }
      h.createUpdate("INSERT INTO " + prefix + "schema_version (version, script, applied_at) "
              + "VALUES (?, ?, ?)")
          .bind(0, version)
          .bind(1, script)
          .bind(2, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC))
          .execute();
      now.add(version);
    }
    return now;
  }

  private static long lockKey(String prefix) {
    return 0x4c61_7463_6800_0000L ^ prefix.hashCode(); // "Latch" + the prefix
  }

  private static String load(Dialect dialect, String script) {
    String path = "migrations/" + dialect.migrations + "/" + script;
    try (InputStream in = Migrations.class.getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("missing migration " + path);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + path, e);
    }
  }
}
