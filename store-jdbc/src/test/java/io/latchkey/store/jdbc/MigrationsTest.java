package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Versioned migrations on a real PostgreSQL and on H2: empty database, re-apply, racing starts. */
class MigrationsTest {

  private static Jdbi postgres() {
    return Jdbi.create(SharedPostgres.url(), "postgres", "");
  }

  private static List<Integer> versions(Jdbi jdbi, String prefix) {
    return jdbi.withHandle(h -> h.createQuery(
        "SELECT version FROM " + prefix + "schema_version ORDER BY version")
        .mapTo(Integer.class).list());
  }

  @Test
  void apply_emptyPostgres_createsSchemaAndRecordsEveryVersion() {
    String prefix = SharedPostgres.freshPrefix();
    Jdbi jdbi = postgres();
    assertThat(Migrations.apply(jdbi, Dialect.POSTGRESQL, prefix)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(versions(jdbi, prefix)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    int rows = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM " + prefix + "tokens")
        .mapTo(Integer.class).one());
    assertThat(rows).isZero();
  }

  @Test
  void apply_twice_isNoOp() {
    String prefix = SharedPostgres.freshPrefix();
    Jdbi jdbi = postgres();
    Migrations.apply(jdbi, Dialect.POSTGRESQL, prefix);
    assertThat(Migrations.apply(jdbi, Dialect.POSTGRESQL, prefix)).isEmpty();
    assertThat(versions(jdbi, prefix)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void build_concurrentStartsOnOneDatabase_applyEachVersionOnce(Backend backend)
      throws Exception {
    Backend.Opened db = backend.open();
    int starters = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(starters);
    List<Future<JdbcTokenStore>> stores = new ArrayList<>();
    for (int i = 0; i < starters; i++) {
      stores.add(pool.submit(() -> {
        go.await();
        return db.builder().maximumPoolSize(2).build();
      }));
    }
    go.countDown();
    try {
      for (Future<JdbcTokenStore> f : stores) f.get(60, TimeUnit.SECONDS).close();
    } finally {
      pool.shutdownNow();
    }
    assertThat(versions(db.sql(), db.prefix())).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    int rows = db.sql().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM " + db.prefix() + "schema_version").mapTo(Integer.class).one());
    assertThat(rows).isEqualTo(Migrations.SCRIPTS.size());
  }

  @Test
  void apply_emptyH2_thenAgain_isNoOp() {
    Jdbi jdbi = Jdbi.create("jdbc:h2:mem:migrations;DB_CLOSE_DELAY=-1");
    assertThat(Migrations.apply(jdbi, Dialect.H2, "m_")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(Migrations.apply(jdbi, Dialect.H2, "m_")).isEmpty();
    assertThat(versions(jdbi, "m_")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void build_migrateFalse_appliesNothing() {
    String url = "jdbc:h2:mem:nomigrate;DB_CLOSE_DELAY=-1";
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).migrate(false).build()) {
      Jdbi jdbi = Jdbi.create(url);
      int tables = jdbi.withHandle(h -> h.createQuery(
          "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'LATCHKEY_%'")
          .mapTo(Integer.class).one());
      assertThat(tables).isZero();
      assertThat(store.dialect()).isEqualTo("h2");
    }
  }

  @Test
  void rowWrittenBeforeV4_readsWithTheLifetimeDerivedFromItsDates() {
    String url = "jdbc:h2:mem:prev4;DB_CLOSE_DELAY=-1";
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      java.time.Instant created = java.time.Instant.parse("2026-01-01T00:00:00Z");
      io.latchkey.spi.TokenRecord r = io.latchkey.spi.TokenRecord.builder().id("0000000000000001")
          .workspace("ws").name("n").hint("lk_...abcd").keyId("k1").hash(new byte[32])
          .createdAt(created).createdBy("a").updatedAt(created)
          .expiresAt(created.plus(java.time.Duration.ofDays(3)))
          .lifetime(java.time.Duration.ofDays(90)).version(1).build();
      assertThat(store.insert(r)).isTrue();
      assertThat(store.find(r.id()).orElseThrow().lifetime()).isEqualTo(java.time.Duration.ofDays(90));
      Jdbi.create(url).useHandle(h -> h.execute(
          "UPDATE " + store.tablePrefix() + "tokens SET lifetime_ms = NULL"));
      assertThat(store.find(r.id()).orElseThrow().lifetime()).isEqualTo(java.time.Duration.ofDays(3));
    }
  }

  @Test
  void v5_keyImportedBefore_countsAsWrittenAtTheEpoch() {
    String url = "jdbc:h2:mem:prev5;DB_CLOSE_DELAY=-1";
    Jdbi jdbi = Jdbi.create(url);
    List<String> withoutV5 = new ArrayList<>(Migrations.SCRIPTS);
    withoutV5.remove("V5__revocation_watermarks.sql");
    withoutV5.remove("V9__covering_workspace_index.sql"); // indexes V5's column: written after it
    Migrations.apply(jdbi, Dialect.H2, "latchkey_", withoutV5);
    for (String[] row : new String[][] {{"zq0000000000000a", "legacy ak_live..."},
        {"1000000000000001", "lk_...abcd"}}) {
      jdbi.useHandle(h -> h.execute("INSERT INTO latchkey_tokens (id, workspace, name, "
          + "description, hint, key_id, hash, state, permissions, allowed_ips, metadata, "
          + "created_at, created_by, updated_at, expires_at, version) VALUES (?, 'ws', 'n', '', "
          + "?, 'legacy:bcrypt', ?, 'ACTIVE', '{}', '[]', '{}', "
          + "TIMESTAMP WITH TIME ZONE '2020-01-01 00:00:00Z', 'import', "
          + "TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00Z', "
          + "TIMESTAMP WITH TIME ZONE '2030-01-01 00:00:00Z', 1)", row[0], row[1], new byte[32]));
    }
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) { // applies V5
      assertThat(store.find("zq0000000000000a").orElseThrow().importedAt())
          .isEqualTo(java.time.Instant.EPOCH);
      assertThat(store.find("1000000000000001").orElseThrow().importedAt()).isNull();
      // Both predate any watermark: the imported one by its backfill, the other by its id.
      assertThat(store.raiseRevocationWatermark("ws", java.time.Instant.parse("2026-01-01T00:00:00Z")))
          .isEqualTo(2);
    }
  }
}
