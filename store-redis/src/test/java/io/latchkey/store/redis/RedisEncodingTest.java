package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A typical record must stay a compact hash (listpack, ziplist before Redis 7): a hash that
 * Redis converts to a hashtable (one value over {@code hash-max-listpack-value}, 64 bytes by
 * default) takes about twice the memory. Field names are short for the same reason.
 */
class RedisEncodingTest {

  @Test
  void typicalRecord_usedAndRevoked_isACompactHash() {
    RedisClusterCommands<String, String> redis = Topology.STANDALONE.admin();
    try (RedisTokenStore store = Topology.STANDALONE.builder()
        .keyPrefix(TestRedis.freshPrefix()).build()) {
      Instant now = Instant.now();
      TokenRecord r = TokenRecord.builder().id(RedisTokenStoreTest.newId())
          .workspace("workspace-0123456789").name("billing export, production")
          .description("reads invoices for the nightly export").hint("acme_...abcd")
          .keyId("k1").hash(new byte[32])
          .permissions(Map.of("invoices:read", true, "invoices:write", true, "admin", false))
          .allowedIps(List.of("203.0.113.0/24")).createdAt(now).createdBy("alice@example.com")
          .updatedAt(now).expiresAt(now.plus(Duration.ofDays(365))).version(1).build();
      assertThat(store.insert(r)).isTrue();
      store.applyUsage(List.of(new UsageUpdate(r.id(), now.plusSeconds(1),
          "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "integration-name-of-thirty-two")));
      TokenRecord revoked = r.toBuilder().state(io.latchkey.spi.StoredState.REVOKED).version(2)
          .build();
      assertThat(store.replace(revoked, 1)).isTrue();

      String key = store.keys().record(r.id());
      assertThat(redis.objectEncoding(key)).isIn("listpack", "ziplist");
    }
  }
}
