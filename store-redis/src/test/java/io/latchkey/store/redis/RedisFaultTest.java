package io.latchkey.store.redis;

import static io.latchkey.store.redis.RedisTokenStoreTest.await;
import static io.latchkey.store.redis.RedisTokenStoreTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.UsageUpdate;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Redis down, and Redis refusing one of a change's two writes: callers get {@link
 * StoreUnavailableException}, validation answers {@code UNAVAILABLE}, and no change is left half
 * applied. Each test runs a server of its own, since it stops or restricts it.
 */
class RedisFaultTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @Test
  void serverStopped_findThrowsUnavailable_validatorAnswersUnavailable_changesThrow() {
    TestRedis.Node node = TestRedis.startOwn(false);
    RedisTokenStore store = RedisTokenStore.builder().uri(node.uri()).commandTimeout(TIMEOUT)
        .build();
    try (Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
        .hashingKey(HashingKey.generate("k1")).build()) {
      IssuedToken cached = latchkey.tokens().issue(NewToken.in("ws").name("cached"));
      IssuedToken uncached = latchkey.tokens().issue(NewToken.in("ws").name("never validated"));
      assertThat(latchkey.validator().validate(cached.secret()).isValid()).isTrue();

      node.stop();

      long started = System.nanoTime();
      assertThatThrownBy(() -> store.find(uncached.id().value()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("find of token " + uncached.id().value())
          .hasMessageNotContaining(uncached.secret().substring(5));
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      assertThat(latchkey.validator().validate(uncached.secret()).reasonOrNull())
          .isEqualTo(Reason.UNAVAILABLE);
      assertThatThrownBy(() -> latchkey.tokens().issue(NewToken.in("ws").name("during outage")))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> latchkey.tokens().disable(cached.id()))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> latchkey.tokens().revokeAll("ws"))
          .isInstanceOf(StoreUnavailableException.class);
      // The usage of the validation above cannot be written now, and close() says so.
      assertThatThrownBy(latchkey::close).isInstanceOf(io.latchkey.StoreUnavailableException.class)
          .hasMessageContaining("usage of 1 tokens unwritten");
    } finally {
      store.close();
    }
  }

  @Test
  void serverStoppedDuringChanges_afterRestartNothingWasApplied() {
    TestRedis.Node node = TestRedis.startOwn(true); // append-only file: data survives a restart
    try (RedisTokenStore store = RedisTokenStore.builder().uri(node.uri())
        .commandTimeout(TIMEOUT).build()) {
      TokenRecord kept = record("ws-1", Duration.ofDays(1));
      TokenRecord neverInserted = record("ws-1", Duration.ofDays(1));
      assertThat(store.insert(kept)).isTrue();

      node.stop();

      assertThatThrownBy(() -> store.insert(neverInserted))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("insert");
      assertThatThrownBy(() -> store.replace(
          kept.toBuilder().state(StoredState.REVOKED).version(2).build(), 1))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("replace");
      assertThatThrownBy(() -> store.delete(kept.id()))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("delete");
      assertThatThrownBy(() -> store.applyUsage(
          List.of(new UsageUpdate(kept.id(), Instant.now(), null, null))))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("usage");
      assertThatThrownBy(() -> store.list("ws-1", null, 10))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("list");

      node.start();
      await("the store to reconnect", () -> {
        try {
          return store.find(kept.id()).isPresent();
        } catch (StoreUnavailableException e) {
          return false;
        }
      });
      // Nothing that failed was queued and replayed after the reconnect.
      assertThat(store.find(kept.id())).contains(kept);
      assertThat(store.find(neverInserted.id())).isEmpty();
      assertThat(store.list("ws-1", null, 10)).containsExactly(kept);
      RedisCommands<String, String> redis = TestRedis.connect(node.uri());
      assertThat(IndexView.ids(redis, store.keys(), "ws-1")).containsExactly(kept.id());
    } finally {
      node.stop();
    }
  }

  @Test
  void insert_recordWriteRefused_leavesNoTokenThatListingOrRevokeAllMisses() {
    // A user who may not write hashes: the index step of an insert succeeds, the record step
    // fails, exactly as a crash between the two slots would leave it.
    TestRedis.Node node = TestRedis.startOwn(false, "user nohash on >pw ~* &* +@all -hset");
    try (RedisTokenStore store = RedisTokenStore.builder()
        .uri("redis://nohash:pw@127.0.0.1:" + node.port).commandTimeout(TIMEOUT).build()) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      assertThatThrownBy(() -> store.insert(r)).isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("insert of token " + r.id());

      RedisCommands<String, String> redis = TestRedis.connect(node.uri());
      assertThat(IndexView.ids(redis, store.keys(), "ws-1"))
          .containsExactly(r.id()); // the orphan entry
      assertThat(redis.exists(store.keys().record(r.id()))).isZero();
      assertThat(store.find(r.id())).isEmpty();
      assertThat(store.list("ws-1", null, 10)).isEmpty();
      assertThat(store.list("ws-1", null, 10)).isEmpty(); // and once more: it is never swept
    } finally {
      node.stop();
    }
  }

  @Test
  void delete_indexCleanupRefused_deleteStillHappenedAndListingSkipsTheEntry() {
    // A user who may not remove sorted-set members: the record goes, its index entry stays.
    TestRedis.Node node = TestRedis.startOwn(false, "user nozrem on >pw ~* &* +@all -zrem");
    try (RedisTokenStore store = RedisTokenStore.builder()
        .uri("redis://nozrem:pw@127.0.0.1:" + node.port).commandTimeout(TIMEOUT).build()) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      TokenRecord other = record("ws-1", Duration.ofDays(1));
      assertThat(store.insert(r)).isTrue();
      assertThat(store.insert(other)).isTrue();

      assertThat(store.delete(r.id())).isTrue();

      RedisCommands<String, String> redis = TestRedis.connect(node.uri());
      assertThat(IndexView.ids(redis, store.keys(), "ws-1")).containsExactly(r.id(), other.id());
      assertThat(store.find(r.id())).isEmpty();
      assertThat(store.list("ws-1", null, 10)).containsExactly(other);
      assertThat(store.delete(r.id())).isFalse();
    } finally {
      node.stop();
    }
  }

  @Test
  void replace_recordWriteRefused_changesNothing() {
    TestRedis.Node node = TestRedis.startOwn(false, "user nohash on >pw ~* &* +@all -hset");
    try (RedisTokenStore admin = RedisTokenStore.builder().uri(node.uri()).build();
         RedisTokenStore limited = RedisTokenStore.builder()
             .uri("redis://nohash:pw@127.0.0.1:" + node.port).commandTimeout(TIMEOUT).build()) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      assertThat(admin.insert(r)).isTrue();

      assertThatThrownBy(() -> limited.replace(
          r.toBuilder().state(StoredState.DISABLED).version(2).build(), 1))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("replace");

      assertThat(admin.find(r.id())).contains(r);
      assertThat(admin.replace(r.toBuilder().version(2).build(), 1)).isTrue();
    } finally {
      node.stop();
    }
  }

  @Test
  void hostClientWithDefaultOptions_disconnected_failsInTime_andNeverReplaysTheChange() {
    TestRedis.Node node = TestRedis.startOwn(false, "user app on >pw ~* &* +@all");
    RedisCommands<String, String> admin = TestRedis.connect(node.uri());
    // Lettuce's defaults: commands issued while disconnected wait in a buffer for the reconnect.
    RedisClient host = RedisClient.create("redis://app:pw@127.0.0.1:" + node.port);
    try (RedisTokenStore store = RedisTokenStore.builder().client(host).commandTimeout(TIMEOUT)
        .build()) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      store.insert(r);
      TokenRecord warmUp = record("ws-1", Duration.ofDays(1));
      store.insert(warmUp);
      store.delete(warmUp.id()); // Redis caches the delete script: a replay would find it
      // Cut the store off without restarting Redis (which would forget its script cache): its
      // user may not log in again, and its connections are dropped.
      admin.aclSetuser("app", io.lettuce.core.AclSetuserArgs.Builder.off());
      admin.clientKill(io.lettuce.core.KillArgs.Builder.user("app"));

      long started = System.nanoTime();
      assertThatThrownBy(() -> store.find(r.id())).isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("no reply in time");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      // Delete's first write is its only one: had it stayed in the buffer, the reconnect would
      // delete the record after its caller was told that the delete failed.
      assertThatThrownBy(() -> store.delete(r.id())).isInstanceOf(StoreUnavailableException.class);

      admin.aclSetuser("app", io.lettuce.core.AclSetuserArgs.Builder.on());
      await("the host client to reconnect", () -> {
        try {
          store.find(warmUp.id()); // buffered commands go first, so they have run by now
          return true;
        } catch (StoreUnavailableException e) {
          return false;
        }
      });
      assertThat(store.find(r.id())).contains(r);
      assertThat(store.list("ws-1", null, 10)).containsExactly(r);
    } finally {
      host.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      node.stop();
    }
  }

  @Test
  void build_serverDown_buildsAnyway_callsFailAtOnce_thenConnectsWhenRedisStarts() {
    TestRedis.Node node = TestRedis.startOwn(false);
    node.stop(); // a port that was just free and now refuses connections
    try (RedisTokenStore store = RedisTokenStore.builder().uri(node.uri()).commandTimeout(TIMEOUT)
        .build()) {
      long started = System.nanoTime();
      assertThatThrownBy(() -> store.find("0000000000000000"))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("not connected");
      assertThatThrownBy(() -> store.insert(record("ws-1", Duration.ofDays(1))))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("not connected");
      assertThatThrownBy(() -> store.subscribe(id -> {}))
          .isInstanceOf(StoreUnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

      node.start();
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      await("the store to connect", () -> {
        try {
          return store.insert(r);
        } catch (StoreUnavailableException e) {
          return false;
        }
      });
      assertThat(store.find(r.id())).contains(r);
      assertThat(store.subscribe(id -> {})).isPresent();
    } finally {
      node.stop();
    }
  }

  @Test
  void build_clusterSeedsDown_buildsAnyway_andCloses() {
    TestRedis.Node node = TestRedis.startOwn(false);
    node.stop();
    try (RedisTokenStore store = RedisTokenStore.builder().clusterUri(node.uri())
        .commandTimeout(TIMEOUT).build()) {
      assertThatThrownBy(() -> store.find("0000000000000000"))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("not connected");
    }
  }

  @Test
  void closedStore_everyCallThrowsUnavailable() {
    RedisTokenStore store = RedisTokenStore.create(TestRedis.standaloneUri());
    store.close();
    store.close(); // idempotent
    assertThatThrownBy(() -> store.find("0000000000000000"))
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> store.subscribe(id -> {}))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(store.toString()).isEqualTo("RedisTokenStore[mode=standalone, keyPrefix=latchkey:]");
  }
}
