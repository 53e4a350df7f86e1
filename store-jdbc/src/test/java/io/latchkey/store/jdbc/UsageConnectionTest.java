package io.latchkey.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.UsageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A usage write never holds the connections that validation's find reads with. */
class UsageConnectionTest {

  @ParameterizedTest
  @EnumSource(Backend.class)
  void applyUsage_blockedOnARowLock_doesNotTakeTheOnlyPooledConnection(Backend backend)
      throws Exception {
    Backend.Opened db = backend.open();
    try (JdbcTokenStore store = db.builder().maximumPoolSize(1)
        .connectionTimeout(Duration.ofMillis(500)).build();
         Handle locker = db.sql().open()) {
      String id = "0000000000000001";
      store.insert(PostgresSchemaTest.record(id, "ws"));
      locker.begin();
      locker.createQuery("SELECT id FROM " + db.prefix() + "tokens WHERE id = ? FOR UPDATE")
          .bind(0, id).mapTo(String.class).one();

      CompletableFuture<Void> flush = CompletableFuture.runAsync(() -> store.applyUsage(
          List.of(new UsageUpdate(id, Instant.parse("2026-01-02T00:00:00Z"), null, null))));
      Thread.sleep(300); // let the usage write reach the lock (it holds its connection there)
      assertThat(flush).as("the usage write waits for the row lock").isNotDone();

      // The pool's one connection is free: find answers within the connection timeout.
      assertThat(store.find(id)).isPresent();

      locker.rollback();
      flush.get(10, TimeUnit.SECONDS);
      assertThat(store.find(id).orElseThrow().lastUsedAt())
          .isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    }
  }
}
