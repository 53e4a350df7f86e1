package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database's own plan for the keyset listing query: it must read the {@code (workspace, id)}
 * index in order and stop after the page, never sort the rest of the workspace. A sorting plan
 * makes the first page of a big workspace cost as much as reading all of it (H2 with {@code ORDER
 * BY id} alone: 2.8 s for a first page at 100 k tokens, the query timeout at 1 M).
 */
class ListingPlanTest {
  private static final int ROWS = 5_000;

  @ParameterizedTest
  @EnumSource(Backend.class)
  void list_firstAndLaterPages_readTheIndexInOrderWithoutSorting(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      Jdbi sql = db.sql();
      fill(sql, db.prefix());
      String index = db.prefix() + "tokens_workspace_id";
      for (String workspace : List.of("big", "small")) {
        for (boolean after : List.of(false, true)) {
          String query = store.listSql(after);
          String plan = explain(sql, query, workspace, after);
          if (backend == Backend.H2) {
            assertThat(plan).as("H2 plan of %s in %s", query, workspace)
                .containsIgnoringCase(index).contains("/* index sorted */");
          } else {
            // PostgreSQL drops "workspace" from an ORDER BY once WHERE fixes it, so it may walk
            // the primary key in id order for a workspace that holds most rows: either index
            // read in order is a page's cost. A small workspace must use its own index.
            assertThat(plan).as("PostgreSQL plan of %s in %s", query, workspace)
                .startsWith("Limit").contains("Index Scan using ").doesNotContain("Sort");
            if (workspace.equals("small")) assertThat(plan).contains("Index Scan using " + index);
          }
        }
      }
    }
  }

  /**
   * A big workspace and a small one (one row in a hundred) interleaved in id order, written
   * directly, then statistics gathered.
   */
  private static void fill(Jdbi sql, String prefix) {
    fill(sql, prefix, "");
  }

  /** As {@link #fill(Jdbi, String)}, each row's description {@code description}. */
  static void fill(Jdbi sql, String prefix, String description) {
    sql.useHandle(h -> {
      PreparedBatch batch = h.prepareBatch("INSERT INTO " + prefix + "tokens (id, workspace, "
          + "name, description, hint, key_id, hash, state, permissions, allowed_ips, metadata, "
          + "created_at, created_by, updated_at, expires_at, version) VALUES (?, ?, 'n', ?, "
          + "'h', 'k1', ?, 'ACTIVE', " + json(h) + ", " + json(h) + ", " + json(h)
          + ", CURRENT_TIMESTAMP, 't', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)");
      for (int i = 0; i < ROWS; i++) {
        batch.bind(0, String.format("%016d", i)).bind(1, i % 100 == 7 ? "small" : "big")
            .bind(2, description).bind(3, new byte[32]).bind(4, i % 2 == 0 ? "{}" : "[]")
            .bind(5, "[]").bind(6, "{}").add();
      }
      batch.execute();
      h.execute(isPostgres(h) ? "ANALYZE " + prefix + "tokens" : "ANALYZE");
    });
  }

  private static String json(Handle h) {
    return isPostgres(h) ? "CAST(? AS JSONB)" : "?";
  }

  private static boolean isPostgres(Handle h) {
    try {
      return h.getConnection().getMetaData().getDatabaseProductName().contains("PostgreSQL");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String explain(Jdbi sql, String query, String workspace, boolean after) {
    return sql.withHandle(h -> {
      var q = h.createQuery("EXPLAIN " + query).bind(0, workspace);
      if (after) q.bind(1, String.format("%016d", ROWS / 2)).bind(2, 101);
      else q.bind(1, 101);
      return String.join("\n", q.mapTo(String.class).list());
    });
  }
}
