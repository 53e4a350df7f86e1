package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.AuditEntry;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.RevocationWatermarks;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import io.lettuce.core.Range;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The revocation watermark on Redis beyond what the kit sees: the count over many index buckets
 * (flags kept in the members, imported keys by their written-at set), the {@code !w} feed
 * message, the registry's crash window and the workspace entry's slot; on both topologies.
 */
class RedisWatermarkTest {
  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  private static TokenRecord writtenAt(String workspace, Instant at, int n) {
    return RedisTokenStoreTest.record(workspace, Duration.ofDays(1)).toBuilder()
        .id(RevocationWatermarks.idBound(at) + String.format("x%07d", n)).build();
  }

  private static TokenRecord imported(String workspace, Instant at, int n) {
    return RedisTokenStoreTest.record(workspace, Duration.ofDays(1)).toBuilder()
        .id(String.format("z%015d", n)).hint("legacy ab...").importedAt(at).build();
  }

  private static long expected(List<TokenRecord> records, Instant from, Instant to) {
    return records.stream()
        .filter(r -> r.state() != StoredState.REVOKED)
        .filter(r -> !RevocationWatermarks.covers(from, r) && RevocationWatermarks.covers(to, r))
        .count();
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void raise_countsAcrossManyBuckets_asTheCoverageRuleSays(Topology topology) {
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      List<TokenRecord> stored = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        TokenRecord r = writtenAt("ws-1", T0.plusMillis(i * 10L), i);
        if (i % 7 == 0) r = r.toBuilder().state(StoredState.REVOKED).build(); // stored REVOKED
        if (i % 11 == 0) r = r.toBuilder().state(StoredState.DISABLED).build();
        assertThat(store.insert(r)).isTrue();
        stored.add(r);
      }
      for (int i = 0; i < 30; i++) {
        TokenRecord r = imported("ws-1", T0.plusMillis(i * 150L), i);
        assertThat(store.insert(r)).isTrue();
        stored.add(r);
      }
      // A replace moves the REVOKED flag both ways; a delete takes the id out of the count.
      for (int i = 1; i < 400; i += 13) {
        TokenRecord r = stored.get(i);
        TokenRecord next = r.toBuilder().version(r.version() + 1).state(
            r.state() == StoredState.REVOKED ? StoredState.ACTIVE : StoredState.REVOKED).build();
        assertThat(store.replace(next, r.version())).isTrue();
        stored.set(i, next);
      }
      TokenRecord revokedImport = stored.get(405);
      TokenRecord next = revokedImport.toBuilder().version(2).state(StoredState.REVOKED).build();
      assertThat(store.replace(next, 1)).isTrue();
      stored.set(405, next);
      for (int i = 3; i < 400; i += 29) {
        assertThat(store.delete(stored.get(i).id())).isTrue();
      }
      for (int i = 3; i < 400; i += 29) stored.set(i, stored.get(i).toBuilder()
          .state(StoredState.REVOKED).build()); // gone: counted as nothing
      assertThat(IndexView.lowerBounds(topology.admin(), store.keys(), "ws-1")).hasSizeGreaterThan(3);

      Instant first = T0.plusMillis(1_555);
      Instant second = T0.plusMillis(3_333);
      Instant last = T0.plusSeconds(60);
      long one = expected(stored, Instant.EPOCH, first);
      long two = expected(stored, first, second);
      long three = expected(stored, second, last);
      assertThat(one).isPositive();
      assertThat(two).isPositive();
      assertThat(three).isPositive();
      assertThat(store.raiseRevocationWatermark("ws-1", first)).isEqualTo((int) one);
      assertThat(store.raiseRevocationWatermark("ws-1", second)).isEqualTo((int) two);
      assertThat(store.raiseRevocationWatermark("ws-1", last)).isEqualTo((int) three);
      assertThat(one + two + three)
          .isEqualTo(stored.stream().filter(r -> r.state() != StoredState.REVOKED).count());
    }
  }

  /** Each bucket's members flagged neither REVOKED nor with a written-at time of their own. */
  static Map<String, Long> recount(RedisClusterCommands<String, String> redis,
      RedisKeys keys, String workspace) {
    Map<String, Long> out = new HashMap<>();
    for (String lb : IndexView.lowerBounds(redis, keys, workspace)) {
      long n = 0;
      for (String m : redis.zrangebylex(keys.bucket(workspace, lb), Range.unbounded())) {
        int flags = m.indexOf('\u0001', m.indexOf('\u0001') + 1);
        String f = flags < 0 ? "" : m.substring(flags + 1);
        if (!f.contains("r") && !f.contains("w")) n++;
      }
      out.put(lb, n);
    }
    return out;
  }

  static Map<String, Long> counters(RedisClusterCommands<String, String> redis,
      RedisKeys keys, String workspace) {
    Map<String, Long> out = new HashMap<>();
    redis.hgetall(keys.counters(workspace)).forEach((k, v) -> out.put(k, Long.parseLong(v)));
    return out;
  }

  /** Rewrites an indexed id's due hour to long ago, as if its record's TTL had ended. */
  private static void makeDue(RedisClusterCommands<String, String> redis, RedisKeys keys,
      String workspace, String lb, String id) {
    String bucket = keys.bucket(workspace, lb);
    String m = redis.zrangebylex(bucket, Range.create(id + '\u0001', id + '\u0002')).get(0);
    int flags = m.indexOf('\u0001', id.length() + 1);
    redis.zrem(bucket, m);
    redis.zadd(bucket, 0, id + '\u0001' + 1 + (flags < 0 ? "" : m.substring(flags)));
    redis.zadd(keys.due(workspace), 1, lb);
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void counters_keptByEveryChange_equalACountOfTheMembers(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisKeys keys = store.keys();
      List<TokenRecord> stored = new ArrayList<>();
      for (int i = 0; i < 700; i++) {
        TokenRecord r = writtenAt("ws-1", T0.plusMillis(i * 10L), i);
        if (i % 5 == 0) r = r.toBuilder().state(StoredState.REVOKED).build();
        stored.add(r);
      }
      for (int i = 0; i < 40; i++) stored.add(imported("ws-1", T0.plusMillis(i * 100L), i));
      // Shuffled, so that buckets split in the middle as well as at the end.
      List<TokenRecord> order = new ArrayList<>(stored);
      Collections.shuffle(order, new Random(12));
      for (TokenRecord r : order) assertThat(store.insert(r)).isTrue();
      assertThat(counters(redis, keys, "ws-1")).isEqualTo(recount(redis, keys, "ws-1"));

      for (int i = 1; i < stored.size(); i += 9) { // REVOKED flag set and cleared
        TokenRecord r = stored.get(i);
        TokenRecord next = r.toBuilder().version(r.version() + 1).state(
            r.state() == StoredState.REVOKED ? StoredState.ACTIVE : StoredState.REVOKED).build();
        assertThat(store.replace(next, r.version())).isTrue();
        stored.set(i, next);
      }
      for (int i = 2; i < stored.size(); i += 31) { // moved to another workspace
        TokenRecord r = stored.get(i);
        assertThat(store.replace(r.toBuilder().workspace("ws-2").version(r.version() + 1).build(),
            r.version())).isTrue();
      }
      for (int i = 3; i < stored.size(); i += 17) assertThat(store.delete(stored.get(i).id()))
          .isTrue();
      // A due member in a middle bucket is swept (listing sweeps up to two due buckets).
      List<String> lbs = IndexView.lowerBounds(redis, keys, "ws-1");
      String middle = lbs.get(lbs.size() / 2);
      String dueId = IndexView.ids(redis, keys, "ws-1").stream().filter(id -> id.compareTo(middle) > 0)
          .findFirst().orElseThrow();
      makeDue(redis, keys, "ws-1", middle, dueId);
      store.list("ws-1", null, 1);
      assertThat(IndexView.ids(redis, keys, "ws-1")).doesNotContain(dueId);

      assertThat(counters(redis, keys, "ws-1")).isEqualTo(recount(redis, keys, "ws-1"));
      assertThat(counters(redis, keys, "ws-2")).isEqualTo(recount(redis, keys, "ws-2"));
      assertThat(recount(redis, keys, "ws-1").values().stream().mapToLong(Long::longValue).sum())
          .isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void raise_workspaceIndexedWithoutCounters_buildsThem_andCountsExactly(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisKeys keys = store.keys();
      List<TokenRecord> stored = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        TokenRecord r = writtenAt("ws-1", T0.plusMillis(i), i);
        if (i % 3 == 0) r = r.toBuilder().state(StoredState.REVOKED).build();
        assertThat(store.insert(r)).isTrue();
        stored.add(r);
      }
      // As the previous release of layout 2 left it: the index without the counters.
      redis.del(keys.counters("ws-1"));
      TokenRecord later = writtenAt("ws-1", T0.plusMillis(500), 500);
      assertThat(store.insert(later)).isTrue(); // not counted until the raise builds them
      stored.add(later);
      assertThat(redis.exists(keys.counters("ws-1"))).isZero();

      Instant first = T0.plusMillis(250);
      assertThat(store.raiseRevocationWatermark("ws-1", first))
          .isEqualTo((int) expected(stored, Instant.EPOCH, first));
      assertThat(counters(redis, keys, "ws-1")).isEqualTo(recount(redis, keys, "ws-1"));
      TokenRecord last = writtenAt("ws-1", T0.plusMillis(501), 501);
      assertThat(store.insert(last)).isTrue();
      stored.add(last);
      assertThat(counters(redis, keys, "ws-1")).isEqualTo(recount(redis, keys, "ws-1"));
      Instant second = T0.plusSeconds(1);
      assertThat(store.raiseRevocationWatermark("ws-1", second))
          .isEqualTo((int) expected(stored, first, second));
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void raise_bucketThatMayHoldDueMembers_isReadMemberByMember(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisKeys keys = store.keys();
      List<TokenRecord> stored = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        TokenRecord r = writtenAt("ws-1", T0.plusMillis(i), i);
        assertThat(store.insert(r)).isTrue();
        stored.add(r);
      }
      List<String> lbs = IndexView.lowerBounds(redis, keys, "ws-1");
      assertThat(lbs).hasSizeGreaterThan(3);
      String middle = lbs.get(2); // a bucket the raise covers whole
      makeDue(redis, keys, "ws-1", middle, middle);
      Instant to = T0.plusSeconds(1);
      // The due member's record is certainly gone: not counted, though its counter still has it.
      assertThat(store.raiseRevocationWatermark("ws-1", to))
          .isEqualTo((int) expected(stored, Instant.EPOCH, to) - 1);
    }
  }

  /**
   * The raise's work in Redis: of the buckets it covers whole it reads one counter each, not
   * their members. Commands called by a script are counted in {@code INFO commandstats}; an own
   * server, so that no other test's commands are counted.
   */
  @org.junit.jupiter.api.Test
  void raise_readsCountersOfWholeBuckets_notTheirMembers() {
    TestRedis.Node node = TestRedis.startOwn(false);
    try (RedisTokenStore store = RedisTokenStore.builder().uri(node.uri())
        .keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisCommands<String, String> redis = TestRedis.connect(node.uri());
      for (int i = 0; i < 3_000; i++) {
        assertThat(store.insert(writtenAt("ws-1", T0.plusMillis(i), i))).isTrue();
      }
      assertThat(IndexView.lowerBounds(redis, store.keys(), "ws-1")).hasSizeGreaterThan(20);
      redis.configResetstat();
      assertThat(store.raiseRevocationWatermark("ws-1", T0.plusSeconds(10))).isEqualTo(3_000);
      String stats = redis.info("commandstats");
      // Four id ranges on a first raise, each: the bucket at either end and the directory.
      assertThat(calls(stats, "zrangebylex")).isBetween(1L, 12L);
      assertThat(calls(stats, "hmget")).isBetween(1L, 4L);
      assertThat(calls(stats, "zrange")).isZero();
    } finally {
      node.stop();
    }
  }

  private static long calls(String commandstats, String command) {
    return commandstats.lines().filter(l -> l.startsWith("cmdstat_" + command + ":"))
        .map(l -> Long.parseLong(l.substring(l.indexOf("calls=") + 6, l.indexOf(','))))
        .findFirst().orElse(0L);
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void raise_isDeliveredAsWatermark_andChangesStillAsIdsWithTheirTime(Topology topology)
      throws Exception {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = topology.builder().keyPrefix(prefix).build();
        RedisTokenStore other = topology.builder().keyPrefix(prefix).build()) {
      List<String> heard = new CopyOnWriteArrayList<>();
      TokenStore.Subscription s = other.subscribe(new ChangeListener() {
        @Override
        public void tokenChanged(String tokenId) {
          heard.add("bare " + tokenId);
        }

        @Override
        public void tokenChanged(String tokenId, long committedAtMillis) {
          heard.add("id " + tokenId);
        }

        @Override
        public void revocationWatermarkRaised(String workspace, Instant watermark) {
          heard.add("watermark " + workspace + " " + watermark.toEpochMilli());
        }

        @Override
        public void feedReset() {
          heard.add("reset");
        }
      }).orElseThrow();
      try {
        TokenRecord r = writtenAt("a workspace", T0, 1);
        store.insert(r);
        store.raiseRevocationWatermark("a workspace", T0.plusMillis(1));
        store.raiseRevocationWatermark("a workspace", T0); // not raised: not published
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (heard.size() < 2 && System.nanoTime() < deadline) Thread.sleep(10);
        Thread.sleep(100);
        assertThat(heard).containsExactly("id " + r.id(),
            "watermark a workspace " + T0.plusMillis(1).toEpochMilli());
      } finally {
        s.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void registry_workspaceWithoutWatermark_isSkipped(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      store.raiseRevocationWatermark("ws-1", T0);
      // A raise that crashed after its first step: the workspace is registered, not raised.
      redis.sadd(store.keys().watermarked(), "ws-crashed");
      assertThat(store.revocationWatermarks()).isEqualTo(Map.of("ws-1", T0));
      assertThat(store.revocationWatermark("ws-crashed")).isEmpty();
      assertThat(redis.get(store.keys().watermark("ws-1")))
          .isEqualTo(Long.toString(T0.toEpochMilli()));
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void workspaceEntry_writtenByTheRaise_inTheWorkspacesSlot(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      store.insert(writtenAt("ws-1", T0.minusSeconds(1), 1));
      AuditEntry entry = new AuditEntry("1AAAAAAAAAAAAAAA", T0, "actor {count}", "ws-1",
          new TokenId(RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID), TokenEvent.Type.REVOKED_ALL,
          "revoked {count} tokens\nsecond line {count}");
      assertThat(store.raiseRevocationWatermark("ws-1", T0, entry)).isEqualTo(1);
      RedisKeys keys = store.keys();
      assertThat(SlotHash.getSlot(keys.workspaceEntries("ws-1")))
          .isEqualTo(SlotHash.getSlot(keys.workspaceTrail("ws-1")))
          .isEqualTo(SlotHash.getSlot(keys.watermark("ws-1")))
          .isEqualTo(SlotHash.getSlot(keys.index("ws-1")));
      assertThat(redis.pttl(keys.workspaceEntries("ws-1"))).isPositive();
      // Only the detail gets the count: the actor keeps its text.
      assertThat(store.workspaceHistory("ws-1", null, 10)).containsExactly(new AuditEntry(
          entry.id(), entry.at(), "actor {count}", "ws-1", entry.tokenId(), entry.action(),
          "revoked 1 tokens\nsecond line 1"));
    }
  }
}
