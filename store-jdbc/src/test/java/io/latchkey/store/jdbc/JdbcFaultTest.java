package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.InvalidArgumentException;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.TokenRecord;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.latchkey.spi.TokenStore;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What callers see when the database is gone, and what core stops before it gets there. */
class JdbcFaultTest {

  @Test
  void databaseStopped_findThrowsUnavailable_validatorAnswersUnavailable_issueThrows()
      throws Exception {
    EmbeddedPostgres pg = SharedPostgres.start(); // our own: this test stops it
    JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(pg.getJdbcUrl("postgres", "postgres"))
        .username("postgres").connectionTimeout(Duration.ofMillis(500)).build();
    try (Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
        .hashingKey(HashingKey.generate("k1")).build()) {
      IssuedToken cached = latchkey.tokens().issue(NewToken.in("ws").name("cached"));
      IssuedToken uncached = latchkey.tokens().issue(NewToken.in("ws").name("never validated"));
      assertThat(latchkey.validator().validate(cached.secret()).isValid()).isTrue();

      pg.close();

      assertThatThrownBy(() -> store.find(uncached.id().value()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("find")
          .hasMessageNotContaining(uncached.secret());
      assertThat(latchkey.validator().validate(uncached.secret()).reasonOrNull())
          .isEqualTo(Reason.UNAVAILABLE);
      assertThatThrownBy(() -> latchkey.tokens().issue(NewToken.in("ws").name("during outage")))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> latchkey.tokens().disable(cached.id()))
          .isInstanceOf(StoreUnavailableException.class);
      // The usage of the validation above cannot be written now, and close() says so.
      assertThatThrownBy(latchkey::close).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("usage of 1 tokens unwritten");
    } finally {
      store.close();
    }
  }

  @Test
  @SuppressWarnings("try") // the subscription is held, not used, by the try block
  void databaseRestarted_failedIssueLeftNothing_poolAndFeedRecover(@TempDir Path dataDir)
      throws Exception {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dataDir)
        .setCleanDataDirectory(false).start();
    int port = pg.getPort();
    PgChangeFeedTest.Recorder recorder = new PgChangeFeedTest.Recorder();
    JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(pg.getJdbcUrl("postgres", "postgres"))
        .username("postgres").connectionTimeout(Duration.ofMillis(500)).build();
    try (Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
        .hashingKey(HashingKey.generate("k1")).build();
         TokenStore.Subscription sub = store.subscribe(recorder).orElseThrow()) {
      IssuedToken before = latchkey.tokens().issue(NewToken.in("ws").name("before"));

      pg.close();
      assertThatThrownBy(() -> latchkey.tokens().issue(NewToken.in("ws").name("during")))
          .isInstanceOf(StoreUnavailableException.class);

      pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false)
          .setPort(port).start();
      PostgresSchemaTest.await("the pool to reconnect", () -> {
        try {
          return store.find(before.id().value()).isPresent();
        } catch (StoreUnavailableException e) {
          return false;
        }
      });
      assertThat(store.list("ws", null, 10)).extracting(TokenRecord::name)
          .containsExactly("before"); // the failed issue wrote nothing
      PostgresSchemaTest.await("the feed to reconnect and reset", () -> recorder.resets.get() > 0);
      IssuedToken after = latchkey.tokens().issue(NewToken.in("ws").name("after"));
      PostgresSchemaTest.awaitContains(recorder.changed, after.id().value());
      assertThat(latchkey.validator().validate(after.secret()).isValid()).isTrue();
    } finally {
      store.close();
      pg.close();
    }
  }

  @Test
  void issue_nameTooLongForColumn_rejectedByCoreBeforeTheDatabase() {
    try (JdbcTokenStore store = JdbcTokenStore.create("jdbc:h2:mem:toolong;DB_CLOSE_DELAY=-1");
         Latchkey latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
             .build()) {
      assertThatThrownBy(() -> latchkey.tokens().issue(NewToken.in("ws").name("n".repeat(129))))
          .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("name ");
      assertThatThrownBy(() -> NewToken.in("w".repeat(129)))
          .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("workspace ");
      assertThat(store.list("ws", null, 10)).isEmpty();
    }
  }

  @Test
  void build_databaseDown_buildsAnyway_startsAndMigratesWhenItIsBack(@TempDir Path dataDir)
      throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (JdbcTokenStore store = JdbcTokenStore.builder().jdbcUrl(url).username("postgres")
        .connectionTimeout(Duration.ofMillis(500)).build()) {
      assertThatThrownBy(() -> store.find("0000000000000000"))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("unreachable");
      assertThatThrownBy(() -> store.subscribe(id -> {}))
          .isInstanceOf(StoreUnavailableException.class);

      EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setPort(port)
          .start();
      try {
        PostgresSchemaTest.await("the store to start", () -> {
          try {
            return store.find("0000000000000000").isEmpty();
          } catch (StoreUnavailableException e) {
            return false;
          }
        });
        TokenRecord r = JdbcTokenStoreTest.record("0000000000000001");
        assertThat(store.insert(r)).isTrue(); // migrated on the first call after the return
        assertThat(store.find(r.id())).contains(r);
        assertThat(store.subscribe(id -> {})).isPresent();
      } finally {
        store.close();
        pg.close();
      }
    }
  }

  @Test
  void build_unknownDatabase_throwsUnavailableNamingTheFailure() {
    // The server answers: a setting to fix, not an outage to wait out.
    String url = SharedPostgres.url().replace("/postgres", "/no_such_database");
    assertThatThrownBy(() -> JdbcTokenStore.builder().jdbcUrl(url).username("postgres")
        .connectionTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("during start")
        .hasMessageContaining("no_such_database");
  }

  @Test
  void builder_badArguments_nameTheField() {
    assertThatThrownBy(() -> JdbcTokenStore.builder().jdbcUrl("jdbc:mysql://x"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("jdbcUrl");
    assertThatThrownBy(() -> JdbcTokenStore.builder().tablePrefix("Bad-Prefix"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("tablePrefix");
    assertThatThrownBy(() -> JdbcTokenStore.builder().build())
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("jdbcUrl");
    assertThatThrownBy(() -> JdbcTokenStore.builder().maximumPoolSize(0))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("maximumPoolSize");
  }

  @Test
  void hostDataSource_isNotClosedByTheStore() throws Exception {
    com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource();
    ds.setJdbcUrl("jdbc:h2:mem:hostds;DB_CLOSE_DELAY=-1");
    try {
      JdbcTokenStore store = JdbcTokenStore.builder().dataSource(ds).build();
      TokenRecord none = store.find("0000000000000000").orElse(null);
      assertThat(none).isNull();
      store.close();
      assertThat(ds.isClosed()).isFalse();
      try (var c = ds.getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
    } finally {
      ds.close();
    }
  }
}
