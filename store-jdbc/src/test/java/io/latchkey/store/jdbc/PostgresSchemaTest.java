package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * What the PostgreSQL schema guarantees beyond the contract kit: collation-proof order, a feed
 * that sees changes made by hand, and an upgrade that keeps existing rows.
 */
class PostgresSchemaTest {

  static TokenRecord record(String id, String workspace) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return TokenRecord.builder().id(id).workspace(workspace).name("n").hint("kit_...abcd")
        .keyId("k1").hash(new byte[32]).state(StoredState.ACTIVE)
        .permissions(Map.of("a", true)).createdAt(now).createdBy("test").updatedAt(now)
        .expiresAt(now.plusSeconds(3600)).version(1).build();
  }

  @Test
  void list_databaseWithLinguisticCollation_ordersIdsByCodePointLikeJava() {
    // Production databases often use en_US collation, which sorts 'a' before 'B'; token ids are
    // base62 in ASCII order, so the store must not depend on the database's default collation.
    String database = SharedPostgres.icuDatabase();
    List<String> ids = List.of("0000000000000000", "000000000000000A", "000000000000000B",
        "000000000000000a", "000000000000000b");
    try (JdbcTokenStore store = JdbcTokenStore.builder()
        .jdbcUrl(SharedPostgres.get().getJdbcUrl("postgres", database)).username("postgres")
        .tablePrefix(SharedPostgres.freshPrefix()).build()) {
      for (String id : List.of(ids.get(3), ids.get(1), ids.get(4), ids.get(0), ids.get(2))) {
        assertThat(store.insert(record(id, "ws"))).isTrue();
      }
      assertThat(store.list("ws", null, 10)).extracting(TokenRecord::id)
          .containsExactlyElementsOf(ids);
      assertThat(store.list("ws", "000000000000000B", 10)).extracting(TokenRecord::id)
          .containsExactly("000000000000000a", "000000000000000b");
    }
  }

  @Test
  @SuppressWarnings("try") // the subscription is held, not used, by the try block
  void changeFeed_rowEditedByHandWithoutVersionBump_notifiesButUsageWriteDoesNot() {
    String prefix = SharedPostgres.freshPrefix();
    Jdbi sql = Jdbi.create(SharedPostgres.url(), "postgres", "");
    ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(SharedPostgres.url())
        .username("postgres").tablePrefix(prefix).build();
         TokenStore.Subscription sub = store.subscribe(changed::add).orElseThrow()) {
      TokenRecord used = record("00000000000000u1", "ws");
      TokenRecord edited = record("00000000000000e1", "ws");
      store.insert(used);
      store.insert(edited);
      awaitContains(changed, edited.id());
      changed.clear();

      store.applyUsage(List.of(new UsageUpdate(used.id(), Instant.now(), "203.0.113.1", "x")));
      sql.useHandle(h -> h.execute(
          "UPDATE " + prefix + "tokens SET state = 'REVOKED' WHERE id = ?", edited.id()));

      // Notifications arrive in commit order: once the hand edit's arrives, the usage write's
      // would have.
      awaitContains(changed, edited.id());
      assertThat(changed).doesNotContain(used.id());
      assertThat(store.find(used.id()).orElseThrow().lastUsedIp()).isEqualTo("203.0.113.1");
    }
  }

  @Test
  void migrate_fromVersion2WithRows_upgradesInPlaceAndKeepsThem() {
    String prefix = SharedPostgres.freshPrefix();
    Jdbi jdbi = Jdbi.create(SharedPostgres.get().getJdbcUrl("postgres", SharedPostgres.icuDatabase()),
        "postgres", "");
    assertThat(Migrations.apply(jdbi, Dialect.POSTGRESQL, prefix, Migrations.SCRIPTS.subList(0, 2)))
        .containsExactly(1, 2);
    List<String> ids = List.of("000000000000000b", "000000000000000B", "000000000000000a");
    // Rows as a version-2 store wrote them (today's store writes columns V2 does not have).
    for (String id : ids) {
      jdbi.useHandle(h -> h.execute("INSERT INTO " + prefix + "tokens (id, workspace, name, "
          + "description, hint, key_id, hash, state, permissions, allowed_ips, metadata, "
          + "created_at, created_by, updated_at, expires_at, version) VALUES (?, 'ws', 'n', '', "
          + "'kit_...abcd', 'k1', ?, 'ACTIVE', '{\"a\": true}', '[]', '{}', "
          + "TIMESTAMPTZ '2026-01-01 00:00:00Z', 'test', TIMESTAMPTZ '2026-01-01 00:00:00Z', "
          + "TIMESTAMPTZ '2026-01-01 01:00:00Z', 1)", id, new byte[32]));
    }

    assertThat(Migrations.apply(jdbi, Dialect.POSTGRESQL, prefix)).containsExactly(3, 4, 5, 6, 7, 8, 9);

    try (JdbcTokenStore v4 = JdbcTokenStore.builder()
        .jdbcUrl(SharedPostgres.get().getJdbcUrl("postgres", SharedPostgres.icuDatabase()))
        .username("postgres").tablePrefix(prefix).build()) {
      assertThat(v4.list("ws", null, 10)).extracting(TokenRecord::id)
          .containsExactly("000000000000000B", "000000000000000a", "000000000000000b");
      // No lifetime stored before V4: derived from the dates, so the record is as it was.
      assertThat(v4.find("000000000000000B")).contains(record("000000000000000B", "ws"));
    }
  }

  static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static void awaitContains(Collection<String> seen, String id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!seen.contains(id)) {
      if (System.nanoTime() > deadline) throw new AssertionError("no notification for " + id);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
