package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.RevocationWatermarks;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database's own plan for revoke-all's count of the rows a new watermark covers: it must read
 * the {@code (workspace, id)} index alone, whose entries carry {@code state} and {@code
 * imported_at_ms} (migration V9), never the table's rows. Reading each row made the count of a
 * million-token workspace, in the raise's transaction, take seconds. (Without V9 the small
 * workspace's plan is an index scan or a bitmap heap scan, which fetch each row.)
 */
class CoveredCountPlanTest {
  @ParameterizedTest
  @EnumSource(Backend.class)
  void raise_count_readsTheCoveringIndexOnly(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      Jdbi sql = db.sql();
      // Rows as wide as real ones (a hash, permissions, metadata: hundreds of bytes, here an
      // incompressible description), so the table is many times its index, as it is in use.
      ListingPlanTest.fill(sql, db.prefix(), incompressible(500));
      if (backend == Backend.POSTGRESQL) {
        // The visibility map of a table at rest (autovacuum keeps it): without it the planner
        // rightly costs an index-only scan like a plain one.
        sql.useHandle(h -> h.execute("VACUUM ANALYZE " + db.prefix() + "tokens"));
      }
      String index = db.prefix() + "tokens_workspace_id";
      for (String workspace : List.of("big", "small")) {
        String plan = explain(sql, store.coveredCountSql(), workspace);
        if (backend == Backend.H2) {
          // H2 evaluates the conditions on the entries of the index it walks and reads a row only
          // for a column the index lacks; its plan names the index, not whether it covers.
          assertThat(plan).as("H2 plan in %s", workspace).containsIgnoringCase(index);
          assertThat(indexColumns(sql, index)).as("columns of " + index)
              .containsExactly("WORKSPACE", "ID", "STATE", "IMPORTED_AT_MS");
        } else if (workspace.equals("small")) {
          assertThat(plan).as("PostgreSQL plan in %s", workspace)
              .contains("Index Only Scan using " + index).doesNotContain("Heap Scan");
        } else {
          // A workspace of nearly every row: the planner may rather read the whole table in
          // order than the index; it must never fetch rows one by one through the index.
          assertThat(plan).as("PostgreSQL plan in %s", workspace)
              .containsAnyOf("Index Only Scan using " + index, "Seq Scan")
              .doesNotContain("Heap Scan").doesNotContain("Index Scan using");
        }
      }
    }
  }

  private static String incompressible(int length) {
    java.util.Random random = new java.util.Random(9);
    StringBuilder s = new StringBuilder(length);
    while (s.length() < length) s.append((char) ('a' + random.nextInt(26)));
    return s.toString();
  }

  private static List<String> indexColumns(Jdbi sql, String index) {
    return sql.withHandle(h -> h.createQuery("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.INDEX_COLUMNS"
            + " WHERE INDEX_NAME = ? ORDER BY ORDINAL_POSITION")
        .bind(0, index.toUpperCase(Locale.ROOT)).mapTo(String.class).list());
  }

  /** EXPLAIN of the count for a first raise to now, bound as the store binds it. */
  private static String explain(Jdbi sql, String query, String workspace) {
    Instant from = Instant.EPOCH;
    Instant to = Instant.parse("2030-01-01T00:00:00Z");
    return sql.withHandle(h -> String.join("\n", h.createQuery("EXPLAIN " + query)
        .bind(0, workspace)
        .bind(1, RevocationWatermarks.idBound(from))
        .bind(2, RevocationWatermarks.idBound(to))
        .bind(3, RevocationWatermarks.legacyIdBound(from))
        .bind(4, RevocationWatermarks.legacyIdBound(to))
        .bind(5, Long.MIN_VALUE).bind(6, to.toEpochMilli())
        .bind(7, Long.MIN_VALUE).bind(8, to.toEpochMilli())
        .mapTo(String.class).list()));
  }
}
