package io.latchkey.store.jdbc;

import static io.latchkey.store.jdbc.PostgresSchemaTest.await;
import static io.latchkey.store.jdbc.PostgresSchemaTest.awaitContains;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The LISTEN connection: it survives a dropped connection and goes away with the store. */
class PgChangeFeedTest {

  /** Records ids and resets. */
  static final class Recorder implements ChangeListener {
    final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
    final AtomicInteger resets = new AtomicInteger();

    @Override
    public void tokenChanged(String tokenId) {
      changed.add(tokenId);
    }

    @Override
    public void feedReset() {
      resets.incrementAndGet();
    }
  }

  private static Jdbi admin() {
    return Jdbi.create(SharedPostgres.url(), "postgres", "");
  }

  private static int feedConnections(String prefix) {
    return admin().withHandle(h -> h.createQuery(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")
        .bind(0, "latchkey-feed:" + prefix + "changes").mapTo(Integer.class).one());
  }

  @Test
  @SuppressWarnings("try") // the subscription is held, not used, by the try block
  void feed_connectionKilled_reconnectsResetsSubscribersAndDeliversAgain() {
    Backend.Opened db = Backend.POSTGRESQL.open();
    Recorder recorder = new Recorder();
    try (JdbcTokenStore store = db.builder().build();
         TokenStore.Subscription sub = store.subscribe(recorder).orElseThrow()) {
      TokenRecord before = JdbcTokenStoreTest.record("0000000000000010");
      store.insert(before);
      awaitContains(recorder.changed, before.id());
      assertThat(recorder.resets).hasValue(0);
      assertThat(feedConnections(db.prefix())).isEqualTo(1);

      int killed = admin().withHandle(h -> h.createQuery(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
              + "WHERE application_name = ?")
          .bind(0, "latchkey-feed:" + db.prefix() + "changes").mapTo(Integer.class).one());
      assertThat(killed).isEqualTo(1);

      await("a reset after the reconnect", () -> recorder.resets.get() == 1);
      TokenRecord after = JdbcTokenStoreTest.record("0000000000000011");
      store.insert(after);
      awaitContains(recorder.changed, after.id());
    }
  }

  @Test
  void close_stopsTheFeedAndReleasesItsConnection() {
    Backend.Opened db = Backend.POSTGRESQL.open();
    JdbcTokenStore store = db.builder().build();
    store.subscribe(new Recorder()).orElseThrow();
    assertThat(feedConnections(db.prefix())).isEqualTo(1);
    store.close();
    await("the feed connection to close", () -> feedConnections(db.prefix()) == 0);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("latchkey-pg-feed-" + db.prefix() + "changes"));
  }

  @Test
  void feed_onHostDataSource_deliversAndGivesTheConnectionBackOnClose() throws Exception {
    Backend.Opened db = Backend.POSTGRESQL.open();
    try (HikariDataSource host = new HikariDataSource()) {
      host.setJdbcUrl(db.url());
      host.setUsername("postgres");
      host.setAutoCommit(false); // the feed must cope with a host's transactional defaults
      Recorder recorder = new Recorder();
      JdbcTokenStore store = JdbcTokenStore.builder().dataSource(host).tablePrefix(db.prefix())
          .build();
      TokenStore.Subscription sub = store.subscribe(recorder).orElseThrow();
      TokenRecord r = JdbcTokenStoreTest.record("0000000000000012");
      // With auto-commit off, a write commits only if the store makes it so; a notification
      // is sent only on commit, and another session sees the row only after it.
      assertThat(store.insert(r)).isTrue();
      awaitContains(recorder.changed, r.id());
      int committed = admin().withHandle(h -> h.createQuery(
          "SELECT count(*) FROM " + db.prefix() + "tokens WHERE id = ?").bind(0, r.id())
          .mapTo(Integer.class).one());
      assertThat(committed).isEqualTo(1);
      assertThat(store.find(r.id())).contains(r);
      sub.close();
      store.close();
      await("the feed to give its connection back",
          () -> host.getHikariPoolMXBean().getActiveConnections() == 0);
      assertThat(host.isClosed()).isFalse();
    }
  }
}
