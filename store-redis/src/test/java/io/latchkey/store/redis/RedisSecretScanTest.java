package io.latchkey.store.redis;

import static io.latchkey.store.redis.RedisTokenStoreTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.TokenQuery;
import io.latchkey.ValidationRequest;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * After issuing, validating, rotating and revoking tokens, no Redis key, value or change-feed
 * message holds a plaintext secret: every key of the store's prefix is read back, on every node.
 */
class RedisSecretScanTest {

  @ParameterizedTest
  @EnumSource(Topology.class)
  void scanEveryKeyValueAndMessage_afterIssue_containsNoPlaintextSecret(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    List<String> secrets = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
    // A plain subscriber on one node: PUBLISH reaches every node's subscribers in a cluster.
    RedisClient listenerClient = RedisClient.create(topology == Topology.STANDALONE
        ? TestRedis.standaloneUri() : TestRedis.clusterUris().get(2));
    try (StatefulRedisPubSubConnection<String, String> feed = listenerClient.connectPubSub();
         RedisTokenStore store = topology.builder().keyPrefix(prefix).build();
         Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
             .hashingKey(HashingKey.generate("k1")).build()) {
      feed.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          messages.add(channel + " " + message);
        }
      });
      feed.sync().subscribe(prefix + "changes");
      for (int i = 0; i < 5; i++) {
        IssuedToken t = latchkey.tokens().issue(NewToken.in("ws-" + i % 2).name("token " + i)
            .permission("a:read", true).allowIp("203.0.113.0/24").metadata("owner", "team-" + i));
        latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.7")
            .integration("scanner-test"));
        secrets.add(t.secret());
        ids.add(t.id().value());
      }
      IssuedToken rotated = latchkey.tokens().rotate(
          latchkey.tokens().list(TokenQuery.in("ws-0")).tokens().get(0).id());
      secrets.add(rotated.secret());
      ids.add(rotated.id().value());
      latchkey.tokens().revoke(rotated.id());
      assertThat(latchkey.flushUsage()).isEqualTo(5);
      await("the feed to deliver the revoke", () -> messages.stream()
          .filter(m -> m.contains(" " + rotated.id().value() + "@")).count() == 2);
    } finally {
      listenerClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    StringBuilder dump = new StringBuilder();
    int keys = 0;
    for (RedisCommands<String, String> node : topology.nodes()) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = node.scan(cursor, ScanArgs.Builder.matches(prefix + "*"));
        for (String key : page.getKeys()) {
          keys++;
          dump.append(key).append('\n');
          switch (node.type(key)) {
            case "hash" -> dump.append(node.hgetall(key)).append('\n');
            case "zset" -> dump.append(node.zrangeWithScores(key, 0, -1)).append('\n');
            case "string" -> dump.append(node.get(key)).append('\n');
            default -> throw new AssertionError("unexpected key type at " + key);
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
    }
    messages.forEach(m -> dump.append(m).append('\n'));

    // six records and their six audit trails; per workspace one index bucket, its due hours, its
    // bucket counters and its audit pointers; the layout key
    assertThat(keys).isEqualTo(6 * 2 + 2 * 4 + 1);
    assertThat(dump).contains("scanner-test", "team-3"); // usage and metadata: the dump is real
    for (String id : ids) assertThat(dump).contains(prefix + "t{" + id + "}");
    assertThat(messages).allMatch(m -> m.matches(java.util.regex.Pattern.quote(prefix)
        + "changes [0-9A-Za-z]{16}@[0-9]+")); // the id and the change's time, nothing else
    for (String secret : secrets) {
      String secretPart = secret.substring("acme_".length() + 16, "acme_".length() + 16 + 33);
      assertThat(dump.toString()).doesNotContain(secret).doesNotContain(secretPart);
    }
  }
}
