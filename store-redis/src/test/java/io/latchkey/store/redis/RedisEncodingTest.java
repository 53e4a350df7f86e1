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
 * default) takes about twice the memory. Field names are short for the same reason, and the
 * record {@code Scale} measures stays within the budget that keeps a token under 400 B.
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

  /**
   * The record of {@code Scale} (benchmarks/README.md: 400 B per token with the key, its expiry
   * and the index entry) under the default prefix's length: 275 B today, 398 B in layout 1.
   */
  @Test
  void scaleRecord_staysWithinItsMemoryBudget() {
    RedisClusterCommands<String, String> redis = Topology.STANDALONE.admin();
    String prefix = String.format("k%07d:", (int) (Math.random() * 10_000_000));
    try (RedisTokenStore store = Topology.STANDALONE.builder().keyPrefix(prefix).build()) {
      Instant now = Instant.parse("2026-06-01T00:00:00Z");
      TokenRecord r = TokenRecord.builder().id("B000000000500000").workspace("big")
          .name("token-500000").hint("acme_...abcd").keyId("k1").hash(new byte[32])
          .permissions(Map.of("invoices:read", true, "invoices:write", true, "admin", false))
          .allowedIps(List.of("203.0.113.0/24")).createdAt(now).createdBy("scale")
          .updatedAt(now).expiresAt(now.plus(Duration.ofDays(365))).version(1).build();
      assertThat(store.insert(r)).isTrue();
      String key = store.keys().record(r.id());
      assertThat(redis.objectEncoding(key)).isIn("listpack", "ziplist");
      assertThat(redis.memoryUsage(key)).isLessThanOrEqualTo(288L);
      assertThat(store.find(r.id())).contains(r);
    }
  }
}
