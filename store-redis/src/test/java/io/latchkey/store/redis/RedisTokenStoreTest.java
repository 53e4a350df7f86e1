package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.KillArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the compatibility kit cannot see: the key layout, TTLs and the index sweep, the NOSCRIPT
 * fallback and the feed's resubscription, on a standalone Redis and on a Redis Cluster alike.
 */
class RedisTokenStoreTest {
  private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() * 1000);
  private static final Duration RETENTION = Duration.ofDays(7);

  static String newId() {
    return "id" + Long.toString(IDS.incrementAndGet(), 36);
  }

  /** A record issued now by the real clock, expiring in {@code lifetime}. */
  static TokenRecord record(String workspace, Duration lifetime) {
    Instant now = Instant.now();
    return TokenRecord.builder().id(newId()).workspace(workspace).name("n").hint("kit_...abcd")
        .keyId("k1").hash(new byte[32]).createdAt(now).createdBy("test").updatedAt(now)
        .expiresAt(now.plus(lifetime)).version(1).build();
  }

  private static RedisTokenStore open(Topology topology, String prefix) {
    return topology.builder().keyPrefix(prefix).retention(RETENTION).build();
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void auditedInsert_trailInTheRecordsSlot_withTtl_andIndexedInTheWorkspace(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord r = record("ws-1", Duration.ofDays(30)).toBuilder()
          .id(String.format("%016d", IDS.incrementAndGet())).build();
      io.latchkey.AuditEntry e = new io.latchkey.AuditEntry("e000000000000001", r.createdAt(),
          "alice", "ws-1", new io.latchkey.TokenId(r.id()), io.latchkey.TokenEvent.Type.ISSUED,
          "issued");
      assertThat(store.insert(r, e)).isTrue();

      RedisKeys keys = store.keys();
      // One script writes record and entry only because they share a slot.
      assertThat(SlotHash.getSlot(keys.trail(r.id()))).isEqualTo(SlotHash.getSlot(keys.record(r.id())));
      assertThat(redis.zcard(keys.trail(r.id()))).isEqualTo(1);
      assertThat(redis.pttl(keys.trail(r.id())))
          .isBetween(Duration.ofDays(399).toMillis(), Duration.ofDays(400).toMillis());
      assertThat(redis.zrange(keys.workspaceTrail("ws-1"), 0, -1))
          .containsExactly(e.id() + "\n" + r.id() + "\n" + e.at().toEpochMilli());
      assertThat(store.history(r.id(), null, 10)).containsExactly(e);
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void insert_oneHashPerRecord_indexAndDueInOneSlot(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord r = record("ws-1", Duration.ofDays(30));
      assertThat(store.insert(r)).isTrue();

      RedisKeys keys = store.keys();
      assertThat(redis.type(keys.record(r.id()))).isEqualTo("hash");
      assertThat(redis.hgetall(keys.record(r.id()))).containsEntry("w", "ws-1")
          .containsEntry("v", "1").doesNotContainKeys("l", "a", "g");
      assertThat(IndexView.ids(redis, keys, "ws-1")).containsExactly(r.id());
      assertThat(redis.zscore(keys.bucket("ws-1", ""), redis.zrange(keys.bucket("ws-1", ""), 0, 0)
          .get(0))).isZero();
      assertThat(redis.get(keys.layout())).isEqualTo("2");
      assertThat(SlotHash.getSlot(keys.due("ws-1"))).isEqualTo(SlotHash.getSlot(keys.index("ws-1")));
      assertThat(SlotHash.getSlot(keys.bucket("ws-1", r.id())))
          .isEqualTo(SlotHash.getSlot(keys.index("ws-1")));
      assertThat(SlotHash.getSlot(keys.record(r.id()))).isEqualTo(SlotHash.getSlot(r.id()));
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void ttl_isLifetimePlusRetention_andRetentionOnceRevoked(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord r = record("ws-1", Duration.ofDays(30));
      store.insert(r);
      String key = store.keys().record(r.id());
      long tolerance = Duration.ofMinutes(1).toMillis();
      assertThat(redis.pttl(key)).isCloseTo(Duration.ofDays(37).toMillis(), within(tolerance));
      long due = IndexView.entries(redis, store.keys(), "ws-1").get(r.id());
      long hour = Duration.ofHours(1).toMillis();
      // The due hour: the record's expiry plus one hour's margin, rounded up to the hour.
      assertThat(due * hour - System.currentTimeMillis())
          .isBetween(Duration.ofDays(37).plusHours(1).toMillis() - tolerance,
              Duration.ofDays(37).plusHours(2).toMillis());

      TokenRecord revoked = r.toBuilder().state(StoredState.REVOKED).updatedAt(Instant.now())
          .version(2).build();
      assertThat(store.replace(revoked, 1)).isTrue();
      assertThat(redis.pttl(key)).isCloseTo(RETENTION.toMillis(), within(tolerance));
      // The due time never falls: the index entry outlives the record.
      assertThat(IndexView.entries(redis, store.keys(), "ws-1").get(r.id())).isEqualTo(due);

      TokenRecord expired = record("ws-1", Duration.ofDays(-1));
      store.insert(expired);
      assertThat(redis.pttl(store.keys().record(expired.id())))
          .isCloseTo(RETENTION.toMillis(), within(tolerance));

      // Usage writes leave the TTL alone.
      long before = redis.pttl(key);
      store.applyUsage(List.of(new UsageUpdate(r.id(), Instant.now(), "203.0.113.1", null)));
      assertThat(redis.pttl(key)).isBetween(before - tolerance, before);
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void list_skipsEntriesWithoutRecordOrOfAnotherWorkspace(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord a = record("ws-1", Duration.ofDays(1));
      TokenRecord b = record("ws-1", Duration.ofDays(1));
      TokenRecord elsewhere = record("ws-2", Duration.ofDays(1));
      store.insert(a);
      store.insert(elsewhere);
      store.insert(b);
      // What a crash between index and record leaves: an entry whose record never came.
      IndexView.plant(redis, store.keys(), "ws-1", a.id() + "0", 10_000_000);
      // A duplicate insert from another workspace indexes the id there too.
      assertThat(store.insert(record("ws-1", Duration.ofDays(1)).toBuilder()
          .id(elsewhere.id()).build())).isFalse();
      assertThat(IndexView.ids(redis, store.keys(), "ws-1")).hasSize(4);

      assertThat(store.list("ws-1", null, 10)).extracting(TokenRecord::id)
          .containsExactly(a.id(), b.id());
      assertThat(store.list("ws-1", null, 1)).extracting(TokenRecord::id).containsExactly(a.id());
      assertThat(store.list("ws-1", a.id(), 1)).extracting(TokenRecord::id)
          .containsExactly(b.id());
      assertThat(store.list("ws-2", null, 10)).extracting(TokenRecord::id)
          .containsExactly(elsewhere.id());
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void list_sweepsIndexEntriesPastTheirDueTime(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord gone = record("ws-1", Duration.ofDays(1));
      TokenRecord live = record("ws-1", Duration.ofDays(1));
      store.insert(gone);
      store.insert(live);
      // As if the TTL had removed the record and its due time had passed.
      redis.del(store.keys().record(gone.id()));
      IndexView.makeDue(redis, store.keys(), "ws-1", gone.id());

      assertThat(store.list("ws-1", null, 10)).extracting(TokenRecord::id)
          .containsExactly(live.id());
      assertThat(IndexView.ids(redis, store.keys(), "ws-1")).containsExactly(live.id());
      assertThat(redis.zcard(store.keys().due("ws-1"))).isEqualTo(1);
      assertThat(redis.zscore(store.keys().due("ws-1"), ""))
          .isEqualTo((double) IndexView.entries(redis, store.keys(), "ws-1").get(live.id()));
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void scriptCacheFlushed_everyChangeFallsBackToEval(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = open(topology, prefix)) {
      TokenRecord warm = record("ws-1", Duration.ofDays(1));
      store.insert(warm); // the scripts are cached now
      topology.nodes().forEach(n -> n.scriptFlush());
      assertThat(topology.nodes().get(0).scriptExists(Scripts.INSERT.sha1())).containsExactly(false);

      TokenRecord r = record("ws-1", Duration.ofDays(1));
      assertThat(store.insert(r)).isTrue();
      assertThat(store.replace(r.toBuilder().name("renamed").version(2).build(), 1)).isTrue();
      Instant used = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      store.applyUsage(List.of(new UsageUpdate(r.id(), used, null, "cron")));
      assertThat(store.list("ws-1", null, 10)).extracting(TokenRecord::name)
          .containsExactly("n", "renamed");
      assertThat(store.find(r.id()).orElseThrow().lastUsedAt()).isEqualTo(used);
      assertThat(store.delete(r.id())).isTrue();
      assertThat(store.list("ws-1", null, 10)).extracting(TokenRecord::id)
          .containsExactly(warm.id());
      // EVAL cached them again where they ran.
      assertThat(topology.nodes().stream().anyMatch(n -> n.scriptExists(Scripts.INSERT.sha1())
          .get(0))).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  @SuppressWarnings("try") // the subscription only has to stay open for the block
  void feedConnectionKilled_resubscribesAndResetsListeners(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = open(topology, prefix)) {
      ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();
      AtomicInteger resets = new AtomicInteger();
      ChangeListener listener = new ChangeListener() {
        @Override
        public void tokenChanged(String tokenId) {
          changed.add(tokenId);
        }

        @Override
        public void feedReset() {
          resets.incrementAndGet();
        }
      };
      try (TokenStore.Subscription s = store.subscribe(listener).orElseThrow()) {
        TokenRecord before = record("ws-1", Duration.ofDays(1));
        store.insert(before);
        await("first notification", () -> changed.contains(before.id()));
        assertThat(resets).hasValue(0);

        long killed = topology.nodes().stream()
            .mapToLong(n -> n.clientKill(KillArgs.Builder.typePubsub())).sum();
        assertThat(killed).isPositive();

        await("feed reset after resubscription", () -> resets.get() == 1);
        TokenRecord after = record("ws-1", Duration.ofDays(1));
        store.insert(after);
        await("notification after resubscription", () -> changed.contains(after.id()));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  @SuppressWarnings("try") // the subscription only has to stay open for the block
  void keyPrefix_isolatesStoresOnOneRedis(Topology topology) {
    try (RedisTokenStore a = open(topology, TestRedis.freshPrefix());
         RedisTokenStore b = open(topology, TestRedis.freshPrefix())) {
      ConcurrentLinkedQueue<String> seenByB = new ConcurrentLinkedQueue<>();
      try (TokenStore.Subscription s = b.subscribe(seenByB::add).orElseThrow()) {
        TokenRecord r = record("ws-1", Duration.ofDays(1));
        a.insert(r);
        TokenRecord marker = record("ws-1", Duration.ofDays(1));
        b.insert(marker);
        await("b's own notification", () -> seenByB.contains(marker.id()));
        assertThat(seenByB).doesNotContain(r.id());
        assertThat(b.find(r.id())).isEmpty();
        assertThat(b.list("ws-1", null, 10)).extracting(TokenRecord::id)
            .containsExactly(marker.id());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void workspaceWithBracesOrEmpty_keepsItsKeysInOneSlot(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = open(topology, prefix)) {
      for (String ws : List.of("", "a}b", "{x}", "plain")) {
        TokenRecord r = record(ws, Duration.ofDays(1));
        assertThat(store.insert(r)).isTrue();
        assertThat(store.list(ws, null, 10)).extracting(TokenRecord::id).containsExactly(r.id());
        assertThat(SlotHash.getSlot(store.keys().due(ws)))
            .isEqualTo(SlotHash.getSlot(store.keys().index(ws)));
        assertThat(store.delete(r.id())).isTrue();
        assertThat(store.list(ws, null, 10)).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void replace_movingWorkspace_reindexes(Topology topology) {
    try (RedisTokenStore store = open(topology, TestRedis.freshPrefix())) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      store.insert(r);
      assertThat(store.replace(r.toBuilder().workspace("ws-2").version(2).build(), 1)).isTrue();
      assertThat(store.list("ws-1", null, 10)).isEmpty();
      assertThat(store.list("ws-2", null, 10)).extracting(TokenRecord::id).containsExactly(r.id());
      assertThat(IndexView.ids(topology.admin(), store.keys(), "ws-1")).isEmpty();
      assertThat(topology.admin().exists(store.keys().due("ws-1"))).isZero();
    }
  }

  @Test
  void find_isOneHgetall() {
    TestRedis.Node node = TestRedis.startOwn(false);
    try (RedisTokenStore store = RedisTokenStore.create(node.uri())) {
      TokenRecord r = record("ws-1", Duration.ofDays(1));
      store.insert(r);
      RedisCommands<String, String> admin = TestRedis.connect(node.uri());
      admin.configResetstat();

      assertThat(store.find(r.id())).contains(r);

      Map<String, Long> calls = new TreeMap<>();
      Matcher m = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)")
          .matcher(admin.info("commandstats"));
      while (m.find()) calls.put(m.group(1), Long.parseLong(m.group(2)));
      calls.keySet().removeAll(List.of("config", "info")); // ours
      assertThat(calls).containsExactly(Map.entry("hgetall", 1L));
    } finally {
      node.stop();
    }
  }

  @Test
  void find_foreignHashUnderOurKey_failsClosedWithoutEchoingValues() {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = Topology.STANDALONE.builder().keyPrefix(prefix).build()) {
      String id = newId();
      Topology.STANDALONE.admin().hset(store.keys().record(id),
          Map.of("w", "ws-1", "x", "c2VjcmV0LWhhc2g="));
      assertThatThrownBy(() -> store.find(id)).isInstanceOf(StoreUnavailableException.class)
          .hasMessage("Redis record of token " + id + " is malformed (no field c)");
      Map<String, String> rest = new TreeMap<>(Map.of("n", "n", "h", "h", "k", "k",
          "t", "ACTIVE", "m", "not json", "c", "1", "b", "x", "e", "2", "v", "1"));
      Topology.STANDALONE.admin().hset(store.keys().record(id), rest);
      assertThatThrownBy(() -> store.find(id)).isInstanceOf(StoreUnavailableException.class)
          .hasMessageNotContaining("c2VjcmV0LWhhc2g=").hasMessageNotContaining("not json");
    }
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
