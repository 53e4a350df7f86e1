package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.AuditEntry;
import io.latchkey.InvalidArgumentException;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the JDBC store does beyond the SPI contract: its queries, its pool, its refusals. */
class JdbcTokenStoreTest {
  private static final byte[] HASH = HexFormat.of().parseHex(
      "f00dfeedcafebabe0123456789abcdef00112233445566778899aabbccddeeff");

  static TokenRecord record(String id) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return TokenRecord.builder().id(id).workspace("ws").name("n").hint("kit_...abcd")
        .keyId("k1").hash(HASH).state(StoredState.ACTIVE)
        .permissions(Map.of("a:read", true)).allowedIps(List.of("10.0.0.0/8"))
        .metadata(Map.of("team", "x")).createdAt(now).createdBy("test").updatedAt(now)
        .expiresAt(now.plusSeconds(3600)).version(1).build();
  }

  /** A data source whose connections count the statements they prepare or create. */
  private static DataSource counting(DataSource target, AtomicInteger statements) {
    return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(target, method, args);
          if (!method.getName().equals("getConnection")) return result;
          Connection c = (Connection) result;
          return Proxy.newProxyInstance(Connection.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().startsWith("prepare") || m.getName().equals("createStatement")) {
                  statements.incrementAndGet();
                }
                return invoke(c, m, a);
              });
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static AuditEntry entry(String entryId, TokenRecord r, TokenEvent.Type action) {
    return new AuditEntry(entryId, Instant.parse("2026-01-01T00:00:00Z"), "alice", r.workspace(),
        new TokenId(r.id()), action, "detail");
  }

  /** The entry and the change share one transaction: an entry that cannot be written undoes it. */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void writes_whoseEntryFails_changeNothing(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000001");
      assertThat(store.insert(r, entry("e000000000000001", r, TokenEvent.Type.ISSUED))).isTrue();
      AuditEntry taken = entry("e000000000000001", r, TokenEvent.Type.UPDATED);

      assertThatThrownBy(() -> store.replace(r.toBuilder().name("x").version(2).build(), 1, taken))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> store.delete(r.id(), taken))
          .isInstanceOf(StoreUnavailableException.class);
      TokenRecord other = record("0000000000000002");
      assertThatThrownBy(() -> store.insert(other, taken))
          .isInstanceOf(StoreUnavailableException.class);

      assertThat(store.find(r.id())).contains(r);
      assertThat(store.find(other.id())).isEmpty();
      assertThat(store.history(r.id(), null, 10)).extracting(AuditEntry::action)
          .containsExactly(TokenEvent.Type.ISSUED);
    }
  }

  /**
   * replaceEach is one transaction: an entry that cannot be written (its id taken) undoes every
   * element, also those whose own entry was fine, and the call throws.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void replaceEach_whoseOneEntryFails_changesNothing(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord a = record("0000000000000001");
      TokenRecord b = record("0000000000000002");
      assertThat(store.insert(a, entry("e000000000000001", a, TokenEvent.Type.ISSUED))).isTrue();
      assertThat(store.insert(b)).isTrue();
      List<TokenRecord> revoked = List.of(
          a.toBuilder().state(StoredState.REVOKED).version(2).build(),
          b.toBuilder().state(StoredState.REVOKED).version(2).build());
      List<AuditEntry> entries = List.of(entry("e000000000000002", a, TokenEvent.Type.REVOKED),
          entry("e000000000000001", b, TokenEvent.Type.REVOKED)); // b's entry id is taken

      assertThatThrownBy(() -> store.replaceEach(revoked, new long[] {1, 1}, entries))
          .isInstanceOf(StoreUnavailableException.class);

      assertThat(store.find(a.id())).contains(a);
      assertThat(store.find(b.id())).contains(b);
      assertThat(store.history(a.id(), null, 10)).extracting(AuditEntry::action)
          .containsExactly(TokenEvent.Type.ISSUED);
      assertThat(store.history(b.id(), null, 10)).isEmpty();
      // The same call with free entry ids writes both, with their entries.
      List<AuditEntry> free = List.of(entry("e000000000000003", a, TokenEvent.Type.REVOKED),
          entry("e000000000000004", b, TokenEvent.Type.REVOKED));
      assertThat(store.replaceEach(revoked, new long[] {1, 1}, free)).containsExactly(true, true);
      assertThat(store.find(b.id())).contains(revoked.get(1));
      assertThat(store.history(b.id(), null, 10)).containsExactly(free.get(1));
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void pruneAuditTrail_removesOlderEntriesOnly(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000001");
      AuditEntry old = entry("e000000000000001", r, TokenEvent.Type.ISSUED);
      AuditEntry recent = new AuditEntry("e000000000000002", old.at().plusSeconds(60), "bob",
          r.workspace(), old.tokenId(), TokenEvent.Type.DELETED, "deleted");
      store.insert(r, old);
      store.delete(r.id(), recent);

      store.pruneAuditTrail(old.at().plusSeconds(1));

      assertThat(store.history(r.id(), null, 10)).containsExactly(recent);
      assertThat(store.workspaceHistory("ws", null, 10)).containsExactly(recent);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void find_isOneStatement_returningEveryField(Backend backend) {
    Backend.Opened db = backend.open();
    AtomicInteger statements = new AtomicInteger();
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setJdbcUrl(db.url());
      if (db.user() != null) pool.setUsername(db.user());
      try (JdbcTokenStore store = JdbcTokenStore.builder()
          .dataSource(counting(pool, statements)).tablePrefix(db.prefix()).build()) {
        TokenRecord r = record("0000000000000001");
        store.insert(r);
        statements.set(0);
        assertThat(store.find(r.id())).contains(r);
        assertThat(statements).hasValue(1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void writes_onHostPoolWithoutAutoCommit_areCommitted(Backend backend) {
    Backend.Opened db = backend.open();
    try (HikariDataSource pool = new HikariDataSource()) {
      pool.setJdbcUrl(db.url());
      if (db.user() != null) pool.setUsername(db.user());
      pool.setAutoCommit(false); // common in hosts that run JPA; returned connections roll back
      TokenRecord r = record("0000000000000005");
      TokenRecord gone = record("0000000000000006");
      TokenRecord renamed = r.toBuilder().name("renamed").version(2).build();
      Instant used = Instant.parse("2026-01-01T00:00:05Z");
      try (JdbcTokenStore store = JdbcTokenStore.builder().dataSource(pool)
          .tablePrefix(db.prefix()).build()) {
        store.insert(r);
        store.insert(gone);
        store.replace(renamed, 1);
        store.delete(gone.id());
        store.applyUsage(List.of(new io.latchkey.spi.UsageUpdate(r.id(), used, "10.1.2.3", "i")));
      }
      try (JdbcTokenStore other = db.builder().build()) { // its own pool: sees committed rows only
        assertThat(other.find(r.id())).contains(renamed.toBuilder().lastUsedAt(used)
            .lastUsedIp("10.1.2.3").lastUsedIntegration("i").build());
        assertThat(other.find(gone.id())).isEmpty();
      }
    }
  }

  @Test
  void findAndList_onPostgres_useIndexesWithoutSortOrOffset() {
    Backend.Opened db = Backend.POSTGRESQL.open();
    try (JdbcTokenStore store = db.builder().build()) {
      store.insert(record("0000000000000001"));
    }
    String table = db.prefix() + "tokens";
    String columns = "id, workspace, permissions, allowed_ips, metadata, hash";
    List<String> plans = db.sql().withHandle(h -> {
      h.execute("SET enable_seqscan = off"); // a tiny table is otherwise read sequentially
      String find = String.join("\n", h.createQuery("EXPLAIN SELECT " + columns + " FROM "
          + table + " WHERE id = '0000000000000001'").mapTo(String.class).list());
      String list = String.join("\n", h.createQuery("EXPLAIN SELECT " + columns + " FROM "
          + table + " WHERE workspace = 'ws' AND id > '0' ORDER BY id LIMIT 50")
          .mapTo(String.class).list());
      return List.of(find, list);
    });
    assertThat(plans.get(0)).contains("Index Scan using " + table + "_pkey");
    assertThat(plans.get(1)).contains("Index Scan using " + table + "_workspace_id")
        .doesNotContain("Sort");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void insert_metadataValueWithNul_isRefusedNamingTheFieldAndWritesNothing(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000002").toBuilder()
          .metadata(Map.of("note", "a\u0000b")).build();
      assertThatThrownBy(() -> store.insert(r))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageStartingWith("metadata ")
          .hasMessageContaining("U+0000");
      assertThat(store.find(r.id())).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void replace_nameWithUnpairedSurrogate_isRefusedAndKeepsTheRow(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000003");
      store.insert(r);
      TokenRecord bad = r.toBuilder().name("broken \ud83d end").version(2).build();
      assertThatThrownBy(() -> store.replace(bad, 1))
          .isInstanceOf(InvalidArgumentException.class)
          .hasMessageStartingWith("name ");
      assertThat(store.find(r.id())).contains(r);
      TokenRecord emoji = r.toBuilder().name("fine \ud83d\ude00 end").version(2).build();
      assertThat(store.replace(emoji, 1)).isTrue();
      assertThat(store.find(r.id())).contains(emoji);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void insert_valueTooLongForColumn_throwsUnavailableWithoutEchoingAnyValue(Backend backend) {
    // Core never lets this through; called directly, the store must still not quote the row.
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000004").toBuilder().workspace("w".repeat(200)).build();
      assertThatThrownBy(() -> store.insert(r))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("during insert (SQLState 22001)")
          .hasNoCause()
          .satisfies(e -> assertThat(e.getMessage())
              .doesNotContain("www").doesNotContain(HexFormat.of().formatHex(HASH)));
      assertThat(store.find(r.id())).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void find_rowBrokenByHand_throwsUnavailableNamingOnlyTheId(Backend backend) {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().build()) {
      TokenRecord r = record("0000000000000007");
      store.insert(r);
      String table = db.prefix() + "tokens";
      assertThatThrownBy(() -> db.sql().useHandle(h -> h.execute(
          "UPDATE " + table + " SET state = 'revoked' WHERE id = ?", r.id())))
          .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase(table + "_state"));
      db.sql().useHandle(h -> h.execute("UPDATE " + table + " SET metadata = "
          + (backend == Backend.POSTGRESQL ? "'[\"secret-ish\"]'::jsonb" : "'[\"secret-ish\"]'")
          + " WHERE id = ?", r.id()));
      assertThatThrownBy(() -> store.find(r.id()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("malformed row for token " + r.id())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-ish"));
    }
  }

  @Test
  void replace_rowLockedElsewhere_givesUpAfterQueryTimeoutAndChangesNothing() {
    Backend.Opened db = Backend.POSTGRESQL.open();
    TokenRecord r = record("0000000000000008");
    try (JdbcTokenStore store = db.builder().queryTimeout(java.time.Duration.ofSeconds(1)).build();
         org.jdbi.v3.core.Handle locker = db.sql().open()) {
      store.insert(r);
      locker.begin();
      locker.execute("SELECT id FROM " + db.prefix() + "tokens WHERE id = ? FOR UPDATE", r.id());
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.replace(r.toBuilder().name("x").version(2).build(), 1))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("replace (SQLState 57014)"); // query_canceled
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(
          java.time.Duration.ofSeconds(5));
      locker.rollback();
      assertThat(store.find(r.id())).contains(r);
    }
  }

  @Test
  void h2File_closedAndReopened_keepsRecordsAndMigratesOnce(@TempDir Path dir) {
    String url = "jdbc:h2:file:" + dir.resolve("tokens").toAbsolutePath();
    TokenRecord r = record("0000000000000009");
    try (JdbcTokenStore store = JdbcTokenStore.create(url)) {
      assertThat(store.dialect()).isEqualTo("h2");
      assertThat(store.subscribe(id -> { })).isEmpty();
      store.insert(r);
    }
    // Closing the owned pool released the file: a second open (as after a restart) succeeds.
    try (JdbcTokenStore reopened = JdbcTokenStore.create(url)) {
      assertThat(reopened.find(r.id())).contains(r);
      int versions = org.jdbi.v3.core.Jdbi.create(url).withHandle(h -> h.createQuery(
          "SELECT count(*) FROM latchkey_schema_version").mapTo(Integer.class).one());
      assertThat(versions).isEqualTo(Migrations.SCRIPTS.size());
    }
  }

  @Test
  void close_ownedPool_isClosedAndLaterCallsThrowUnavailable() {
    Backend.Opened db = Backend.H2.open();
    JdbcTokenStore store = db.builder().build();
    store.close();
    store.close(); // idempotent
    assertThatThrownBy(() -> store.find("0000000000000001"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("find");
    assertThatThrownBy(() -> store.subscribe(id -> { }))
        .isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void build_migrationFails_throwsUnavailableNamingTheScriptAndRecordsNothing() {
    Backend.Opened db = Backend.POSTGRESQL.open();
    db.sql().useHandle(h -> h.execute("CREATE TABLE " + db.prefix() + "tokens (x INTEGER)"));
    assertThatThrownBy(() -> db.builder().build())
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("postgresql/V1__tokens.sql")
        .hasMessageContaining("already exists")
        .hasCauseInstanceOf(java.sql.SQLException.class);
    // The failed run rolled back: the version table it created in the same transaction is gone.
    int tables = db.sql().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?")
        .bind(0, db.prefix() + "schema_version").mapTo(Integer.class).one());
    assertThat(tables).isZero();
  }

  @Test
  void builder_settingsThatConflict_areRefusedNamingTheField() {
    DataSource ds = new org.h2.jdbcx.JdbcDataSource();
    assertThatThrownBy(() -> JdbcTokenStore.builder().jdbcUrl("jdbc:h2:mem:a").jdbcUrl("jdbc:h2:mem:b"))
        .isInstanceOf(InvalidArgumentException.class).hasMessage("jdbcUrl was already set");
    assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).jdbcUrl("jdbc:h2:mem:a"))
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessage("jdbcUrl cannot be combined with dataSource");
    assertThatThrownBy(() -> JdbcTokenStore.builder().tablePrefix("a_").tablePrefix("b_"))
        .isInstanceOf(InvalidArgumentException.class).hasMessage("tablePrefix was already set to a_");
    assertThatThrownBy(() -> JdbcTokenStore.builder().tablePrefix("x".repeat(31)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("tablePrefix ");
    assertThatThrownBy(() -> JdbcTokenStore.builder().username(null))
        .isInstanceOf(InvalidArgumentException.class).hasMessage("username must not be null");
    assertThatThrownBy(() -> JdbcTokenStore.builder().connectionTimeout(java.time.Duration.ofMillis(10)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("connectionTimeout ");
    assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).username("app").build())
        .isInstanceOf(InvalidArgumentException.class)
        .hasMessageStartingWith("username applies only to the pool built from jdbcUrl");
    assertThatThrownBy(() -> JdbcTokenStore.builder().dataSource(ds).maximumPoolSize(3).build())
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("maximumPoolSize ");
  }
}
