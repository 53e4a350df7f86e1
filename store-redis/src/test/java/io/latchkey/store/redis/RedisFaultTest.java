package io.latchkey.store.redis;

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
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/** What callers see when Redis is gone, and that a failed change leaves nothing half-applied. */
class RedisFaultTest {

  @Test
  void serverStopped_findAndChangesThrow_validatorAnswersUnavailable_restartShowsNoChange()
      throws Exception {
    int port = EmbeddedRedis.freePort();
    RedisServer server = EmbeddedRedis.startOwn(port);
    RedisTokenStore store = RedisTokenStore.builder().uri("redis://127.0.0.1:" + port)
        .commandTimeout(Duration.ofMillis(500)).build();
    try (Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
        .hashingKey(HashingKey.generate("k1")).build()) {
      IssuedToken t = latchkey.tokens().issue(NewToken.in("ws").name("n"));
      TokenRecord before = store.find(t.id().value()).orElseThrow();

      server.stop();

      assertThatThrownBy(() -> store.find(t.id().value()))
          .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("find");
      assertThat(latchkey.validator().validate(t.secret()).reasonOrNull())
          .isEqualTo(Reason.UNAVAILABLE);
      assertThatThrownBy(() -> latchkey.tokens().disable(t.id()))
          .isInstanceOf(StoreUnavailableException.class);
      assertThatThrownBy(() -> latchkey.tokens().issue(NewToken.in("ws").name("during outage")))
          .isInstanceOf(StoreUnavailableException.class);

      server.start(); // same port; nothing persisted, but the store reconnects by itself
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        try {
          assertThat(store.find(t.id().value())).isEmpty(); // the server lost its memory
          break;
        } catch (StoreUnavailableException e) {
          if (System.nanoTime() > deadline) throw e;
          Thread.sleep(100);
        }
      }
      assertThat(before.state().name()).isEqualTo("ACTIVE");
    } finally {
      store.close();
      EmbeddedRedis.stopQuietly(server);
    }
  }

  @Test
  void list_indexEntryWithoutRecord_isSkipped_andTidiedOnlyWhenOld() {
    String uri = EmbeddedRedis.standaloneUri();
    String prefix = EmbeddedRedis.freshPrefix();
    try (RedisTokenStore store = RedisTokenStore.builder().uri(uri).keyPrefix(prefix).build();
         Latchkey latchkey = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
             .build();
         io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri);
         var c = client.connect()) {
      IssuedToken kept = latchkey.tokens().issue(NewToken.in("ws").name("kept"));
      String index = prefix + "w:{ws}";
      // Left by a crash long ago (id time 1970): skipped and tidied away.
      c.sync().zadd(index, 0, "0000000000000000");
      // What an insert in progress looks like right now (id of this millisecond): skipped, kept.
      String inProgress = kept.id().value().substring(0, 8) + "zzzzzzzz";
      c.sync().zadd(index, 0, inProgress);

      assertThat(store.list("ws", null, 10)).extracting(TokenRecord::id)
          .containsExactly(kept.id().value());
      assertThat(c.sync().zrange(index, 0, -1))
          .containsExactly(kept.id().value(), inProgress);
      assertThat(latchkey.tokens().revokeAll("ws")).isEqualTo(1);
    }
  }

  @Test
  void builder_badArguments_nameTheField() {
    assertThatThrownBy(() -> RedisTokenStore.builder().uri("http://x"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("uri");
    assertThatThrownBy(() -> RedisTokenStore.builder().keyPrefix("a{b}"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("keyPrefix");
    assertThatThrownBy(() -> RedisTokenStore.builder().retention(Duration.ZERO))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("retention");
    assertThatThrownBy(() -> RedisTokenStore.builder().build())
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("uri");
    assertThatThrownBy(() -> RedisTokenStore.builder().uri("redis://a").clusterUri("redis://b"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageStartingWith("clusterUri");
  }

  @Test
  void build_unreachableServer_throwsUnavailable() {
    assertThatThrownBy(() -> RedisTokenStore.builder()
        .uri("redis://127.0.0.1:" + EmbeddedRedis.freePort())
        .commandTimeout(Duration.ofMillis(500)).build())
        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("connect");
  }
}
