package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.AuditEntry;
import io.latchkey.StoreUnavailableException;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.spi.TokenRecord;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Layout 2: the bucketed workspace index, the layout version key and the workspace audit
 * pointers, on a standalone Redis and on a Redis Cluster.
 */
class RedisLayoutTest {
  private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() * 1000);

  private static String tokenId() {
    return String.format("%016d", IDS.incrementAndGet());
  }

  private static TokenRecord record(String workspace, String id) {
    return RedisTokenStoreTest.record(workspace, Duration.ofDays(1)).toBuilder().id(id).build();
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void index_manyTokens_compactBucketsThatListingPagesInOrder(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      List<String> ids = new ArrayList<>();
      // Ascending ids, as issue-time ids arrive, then ids that fall between them.
      for (int i = 0; i < 260; i++) ids.add(String.format("a%04d", i * 2));
      for (int i = 0; i < 100; i++) ids.add(String.format("a%04d", i * 4 + 1));
      for (String id : ids) assertThat(store.insert(record("ws-1", id))).isTrue();
      List<String> sorted = new ArrayList<>(ids);
      Collections.sort(sorted);

      RedisKeys keys = store.keys();
      assertThat(IndexView.ids(redis, keys, "ws-1")).containsExactlyElementsOf(sorted);
      List<String> lowerBounds = IndexView.lowerBounds(redis, keys, "ws-1");
      assertThat(lowerBounds).hasSizeGreaterThanOrEqualTo(3);
      for (String lb : lowerBounds) {
        String bucket = keys.bucket("ws-1", lb);
        assertThat(redis.zcard(bucket)).isBetween(1L, (long) Scripts.BUCKET_MAX);
        assertThat(redis.objectEncoding(bucket)).isIn("listpack", "ziplist");
        assertThat(redis.zscore(keys.due("ws-1"), lb)).isNotNull();
      }

      List<String> seen = new ArrayList<>();
      String after = null;
      while (true) {
        List<TokenRecord> page = store.list("ws-1", after, 7);
        page.forEach(r -> seen.add(r.id()));
        if (page.size() < 7) break;
        after = page.get(6).id();
      }
      assertThat(seen).containsExactlyElementsOf(sorted);
      assertThat(store.list("ws-1", sorted.get(200), 3)).extracting(TokenRecord::id)
          .containsExactlyElementsOf(sorted.subList(201, 204));
      assertThat(store.list("ws-1", "a", 2)).extracting(TokenRecord::id)
          .containsExactlyElementsOf(sorted.subList(0, 2));

      Collections.shuffle(ids);
      for (String id : ids) assertThat(store.delete(id)).isTrue();
      assertThat(redis.exists(keys.index("ws-1"), keys.due("ws-1"), keys.bucket("ws-1", "")))
          .isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void freshPrefix_layoutKeyWrittenOnFirstUse(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = topology.builder().keyPrefix(prefix).build()) {
      assertThat(store.find(tokenId())).isEmpty();
      assertThat(topology.admin().get(prefix + "layout")).isEqualTo("2");
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void layout1Records_everyCallRefusedNamingTheLayout(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    RedisClusterCommands<String, String> redis = topology.admin();
    // What the previous release wrote: a record under t:{id}, no layout key.
    String old = tokenId();
    redis.hset(prefix + "t:{" + old + "}", Map.of("ws", "ws-1", "ver", "1", "name", "n"));
    try (RedisTokenStore store = topology.builder().keyPrefix(prefix).build()) {
      String refusal = "Redis keys under prefix '" + prefix + "' are in layout 1; this store"
          + " reads and writes layout 2";
      assertThatThrownBy(() -> store.find(old)).isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith(refusal);
      assertThatThrownBy(() -> store.list("ws-1", null, 10))
          .isInstanceOf(StoreUnavailableException.class).hasMessageStartingWith(refusal);
      TokenRecord r = record("ws-1", tokenId());
      assertThatThrownBy(() -> store.insert(r)).isInstanceOf(StoreUnavailableException.class)
          .hasMessageStartingWith(refusal);
      assertThat(redis.exists(store.keys().record(r.id()), prefix + "layout")).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void layoutKeyOfAnotherVersion_refused(Topology topology) {
    String prefix = TestRedis.freshPrefix();
    topology.admin().set(prefix + "layout", "3");
    try (RedisTokenStore store = topology.builder().keyPrefix(prefix).build()) {
      assertThatThrownBy(() -> store.find(tokenId()))
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("are in layout 3; this store reads and writes layout 2");
    }
  }

  @Test
  void layout1Record_foundUnderANewKey_isRefusedNotMisread() {
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = Topology.STANDALONE.builder().keyPrefix(prefix).build()) {
      String id = tokenId();
      store.find(id); // layout checked and set
      Topology.STANDALONE.admin().hset(store.keys().record(id), Map.of("ws", "ws-1", "ver", "1"));
      assertThatThrownBy(() -> store.find(id)).isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining("is in layout 1");
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void workspaceHistory_skipsPointersWithoutEntry_andFailedChangesLeaveNone(Topology topology) {
    RedisClusterCommands<String, String> redis = topology.admin();
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      TokenRecord r = record("ws-1", tokenId());
      AuditEntry issued = entry(r, "e000000000000001");
      assertThat(store.insert(r, issued)).isTrue();
      // A duplicate insert does not happen, and its pointer goes with it.
      assertThat(store.insert(r, entry(r, "e000000000000002"))).isFalse();
      assertThat(store.replace(r.toBuilder().version(5).build(), 4, entry(r, "e000000000000003")))
          .isFalse();
      assertThat(redis.zcard(store.keys().workspaceTrail("ws-1"))).isEqualTo(1);
      // What a crash after the pointer and before the change leaves: skipped.
      redis.zadd(store.keys().workspaceTrail("ws-1"), 0,
          "e000000000000009\n" + r.id() + "\n" + System.currentTimeMillis());
      assertThat(store.workspaceHistory("ws-1", null, 10)).containsExactly(issued);
      assertThat(store.workspaceHistory("ws-1", null, 1)).containsExactly(issued);
    }
  }

  @Test
  void workspaceHistory_onePage_readsOnlyTheTrailsOfThatPage() {
    TestRedis.Node node = TestRedis.startOwn(false);
    try (RedisTokenStore store = RedisTokenStore.create(node.uri())) {
      List<AuditEntry> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        TokenRecord r = record("ws-1", tokenId());
        AuditEntry e = entry(r, String.format("e%015d", i));
        assertThat(store.insert(r, e)).isTrue();
        all.add(e);
      }
      RedisCommands<String, String> admin = TestRedis.connect(node.uri());
      admin.configResetstat();

      List<AuditEntry> page = store.workspaceHistory("ws-1", all.get(150).id(), 10);

      assertThat(page).containsExactlyElementsOf(
          reversed(all.subList(140, 150)));
      Map<String, Long> calls = new TreeMap<>();
      Matcher m = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)")
          .matcher(admin.info("commandstats"));
      while (m.find()) calls.put(m.group(1), Long.parseLong(m.group(2)));
      calls.keySet().removeAll(List.of("config", "info")); // ours
      // One read of the workspace's pointers, one per entry of the page: not one per token.
      assertThat(calls).containsExactly(Map.entry("zrangebylex", 10L),
          Map.entry("zrevrangebylex", 1L));
    } finally {
      node.stop();
    }
  }

  private static List<AuditEntry> reversed(List<AuditEntry> entries) {
    List<AuditEntry> r = new ArrayList<>(entries);
    Collections.reverse(r);
    return r;
  }

  private static AuditEntry entry(TokenRecord r, String id) {
    return new AuditEntry(id, r.createdAt(), "alice", r.workspace(), new TokenId(r.id()),
        TokenEvent.Type.ISSUED, "issued");
  }
}
