package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.TokenQuery;
import io.latchkey.ValidationRequest;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** After issuing, validating and rotating tokens, no Redis key or value holds a plaintext secret. */
class RedisSecretScanTest {

  @Test
  void scanEveryKeyAndValue_afterIssue_containsNoPlaintextSecret() {
    String uri = EmbeddedRedis.standaloneUri();
    String prefix = EmbeddedRedis.freshPrefix();
    List<String> secrets = new ArrayList<>();
    try (RedisTokenStore store = RedisTokenStore.builder().uri(uri).keyPrefix(prefix).build();
         Latchkey latchkey = Latchkey.builder().store(store).tokenPrefix("acme")
             .hashingKey(HashingKey.generate("k1")).build()) {
      for (int i = 0; i < 5; i++) {
        IssuedToken t = latchkey.tokens().issue(NewToken.in("ws-" + i % 2).name("token " + i)
            .permission("a:read", true).allowIp("203.0.113.0/24"));
        latchkey.validator().validate(ValidationRequest.of(t.secret()).clientIp("203.0.113.7")
            .integration("scanner-test"));
        secrets.add(t.secret());
      }
      secrets.add(latchkey.tokens().rotate(
          latchkey.tokens().list(TokenQuery.in("ws-0")).tokens().get(0).id()).secret());
      latchkey.flushUsage();
    }

    StringBuilder dump = new StringBuilder();
    try (RedisClient client = RedisClient.create(uri);
         StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> r = c.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      int keys = 0;
      do {
        KeyScanCursor<String> page = r.scan(cursor, ScanArgs.Builder.matches(prefix + "*"));
        for (String key : page.getKeys()) {
          keys++;
          dump.append(key).append('\n');
          switch (r.type(key)) {
            case "hash" -> dump.append(r.hgetall(key)).append('\n');
            case "zset" -> dump.append(r.zrange(key, 0, -1)).append('\n');
            case "string" -> dump.append(r.get(key)).append('\n');
            default -> throw new AssertionError("unexpected key type at " + key);
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
      assertThat(keys).isEqualTo(6 + 2); // six records, two workspace indexes
    }
    assertThat(dump).contains("scanner-test"); // usage reached Redis: the dump is real
    for (String secret : secrets) {
      String secretPart = secret.substring("acme_".length() + 16, "acme_".length() + 16 + 33);
      assertThat(dump.toString()).doesNotContain(secret).doesNotContain(secretPart);
    }
  }
}
