package io.latchkey.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.AuditEntry;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.store.redis.TestRedis.Topology;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link RedisTokenStore#replaceEach} beyond the kit: each element succeeds or fails on its own
 * with its entry, feed message, index flag and counters as a replace keeps them; records that
 * share a Cluster slot go in one script; on a standalone server one compare-and-set script
 * serves a whole chunk.
 */
class RedisReplaceEachTest {

  private static AuditEntry entry(int i, TokenRecord r) {
    // Milliseconds, as the store keeps them.
    return new AuditEntry(String.format("e%015d", i),
        Instant.ofEpochMilli(System.currentTimeMillis()), "revoke-all", r.workspace(),
        new TokenId(r.id()), TokenEvent.Type.REVOKED, "");
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void replaceEach_eachElementOnItsOwn_withItsEntryFeedAndIndexFlag(Topology topology)
      throws Exception {
    RedisClusterCommands<String, String> redis = topology.admin();
    String prefix = TestRedis.freshPrefix();
    try (RedisTokenStore store = topology.builder().keyPrefix(prefix).build();
        RedisTokenStore other = topology.builder().keyPrefix(prefix).build()) {
      List<String> heard = new CopyOnWriteArrayList<>();
      try (TokenStore.Subscription s = other.subscribe(heard::add).orElseThrow()) {
        int n = 300;
        List<TokenRecord> stored = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          TokenRecord r = RedisTokenStoreTest.record("ws-1", Duration.ofDays(1)).toBuilder()
              .id(String.format("q%015d", i)).build(); // an audited token id: 16 characters
          if (i % 10 == 0) r = r.toBuilder().state(StoredState.REVOKED).build();
          assertThat(store.insert(r)).isTrue();
          stored.add(r);
        }
        List<TokenRecord> updated = new ArrayList<>();
        long[] versions = new long[n];
        List<AuditEntry> audits = new ArrayList<>();
        boolean[] expected = new boolean[n];
        Set<String> gone = new HashSet<>();
        for (int i = 0; i < n; i++) {
          TokenRecord r = stored.get(i);
          boolean deleted = i % 7 == 0 && i % 3 != 0;
          // A replace indexes before its compare-and-set, so one of a record deleted meanwhile
          // leaves an index entry with the new flags (README, "Revoke-all"): REVOKED here, as the
          // revoke-all fix-up writes, so that the count below is exact.
          TokenRecord next = r.toBuilder().version(2).name("renamed-" + i).state(
              r.state() == StoredState.REVOKED && !deleted ? StoredState.ACTIVE
                  : StoredState.REVOKED)
              .workspace(i == 5 ? "ws-2" : "ws-1").build();
          updated.add(next);
          audits.add(entry(i, next));
          versions[i] = i % 3 == 0 ? 7 : 1; // a version that differs: not replaced
          if (deleted) {
            assertThat(store.delete(r.id())).isTrue(); // gone: not replaced
            gone.add(r.id());
          }
          expected[i] = i % 3 != 0 && i % 7 != 0;
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (heard.size() < n + gone.size() && System.nanoTime() < deadline) Thread.sleep(5);
        heard.clear();

        boolean[] written = store.replaceEach(updated, versions, audits);

        assertThat(written).isEqualTo(expected);
        Set<String> writtenIds = new HashSet<>();
        for (int i = 0; i < n; i++) {
          TokenRecord r = stored.get(i);
          if (expected[i]) {
            writtenIds.add(r.id());
            assertThat(store.find(r.id())).contains(updated.get(i));
            assertThat(store.history(r.id(), null, 10)).containsExactly(audits.get(i));
          } else if (gone.contains(r.id())) {
            assertThat(store.find(r.id())).isEmpty();
            assertThat(store.history(r.id(), null, 10)).isEmpty();
          } else {
            assertThat(store.find(r.id())).contains(r);
            assertThat(store.history(r.id(), null, 10)).isEmpty();
          }
        }
        // The workspace trail points at exactly the entries written.
        Set<String> pointed = new HashSet<>();
        for (String ws : List.of("ws-1", "ws-2")) {
          store.workspaceHistory(ws, null, 1_000).forEach(e -> pointed.add(e.tokenId().value()));
          assertThat(redis.zcard(store.keys().workspaceTrail(ws)))
              .isEqualTo(store.workspaceHistory(ws, null, 1_000).size());
        }
        assertThat(pointed).isEqualTo(writtenIds);
        // The change feed: one message per record replaced, none for the others.
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (heard.size() < writtenIds.size() && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(100);
        assertThat(heard).hasSize(writtenIds.size());
        assertThat(new HashSet<>(heard)).isEqualTo(writtenIds);
        // Index: the moved record left ws-1 for ws-2; flags and counters as replace keeps them.
        assertThat(IndexView.ids(redis, store.keys(), "ws-2")).containsExactly(stored.get(5).id());
        assertThat(IndexView.ids(redis, store.keys(), "ws-1")).doesNotContain(stored.get(5).id());
        for (String ws : List.of("ws-1", "ws-2")) {
          assertThat(RedisWatermarkTest.counters(redis, store.keys(), ws))
              .isEqualTo(RedisWatermarkTest.recount(redis, store.keys(), ws));
        }
        long live = store.list("ws-1", null, 1_000).stream()
            .filter(r -> r.state() != StoredState.REVOKED).count();
        assertThat(store.raiseRevocationWatermark("ws-1", Instant.now())).isEqualTo((int) live);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Topology.class)
  void replaceEach_recordsThatShareASlot_andRecordsThatDoNot(Topology topology) {
    try (RedisTokenStore store = topology.builder().keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisKeys keys = store.keys();
      // Ids whose records share one slot, found by trying, and some that do not.
      List<TokenRecord> records = new ArrayList<>();
      int slot = -1;
      for (int k = 0; records.size() < 4; k++) {
        TokenRecord r = RedisTokenStoreTest.record("ws-1", Duration.ofDays(1)).toBuilder()
            .id("slot" + k).build();
        int s = SlotHash.getSlot(keys.record(r.id()));
        if (slot < 0) slot = s;
        if (s == slot) records.add(r);
      }
      for (int i = 0; i < 6; i++) records.add(RedisTokenStoreTest.record("ws-1",
          Duration.ofDays(1)));
      for (TokenRecord r : records) assertThat(store.insert(r)).isTrue();
      assertThat(records.stream().map(r -> SlotHash.getSlot(keys.record(r.id())))
          .collect(Collectors.toSet())).hasSizeGreaterThan(2);
      List<TokenRecord> updated = new ArrayList<>();
      long[] versions = new long[records.size()];
      for (int i = 0; i < records.size(); i++) {
        TokenRecord r = records.get(i);
        updated.add(r.toBuilder().version(2).state(StoredState.REVOKED).build());
        versions[i] = i == 1 ? 2 : 1; // one of the shared slot's records fails on its own
      }
      boolean[] written = store.replaceEach(updated, versions, null);
      for (int i = 0; i < records.size(); i++) {
        assertThat(written[i]).as("element " + i).isEqualTo(i != 1);
        assertThat(store.find(records.get(i).id())).contains(i == 1 ? records.get(i)
            : updated.get(i));
      }
      assertThat(store.replaceEach(List.of(), new long[0], null)).isEmpty();
    }
  }

  /**
   * A chunk costs one compare-and-set script on a standalone server (two above {@value
   * RedisTokenStore#MAX_REPLACE_BATCH} records), not one per record: every command an own server
   * runs is in its slow log when the threshold is 0.
   */
  @Test
  void replaceEach_standalone_oneCompareAndSetScriptPerBatch() {
    TestRedis.Node node = TestRedis.startOwn(false, "slowlog-log-slower-than 0",
        "slowlog-max-len 100000");
    try (RedisTokenStore store = RedisTokenStore.builder().uri(node.uri())
        .keyPrefix(TestRedis.freshPrefix()).build()) {
      RedisCommands<String, String> redis = TestRedis.connect(node.uri());
      int n = RedisTokenStore.MAX_REPLACE_BATCH + 100;
      List<TokenRecord> updated = new ArrayList<>();
      long[] versions = new long[n];
      for (int i = 0; i < n; i++) {
        TokenRecord r = RedisTokenStoreTest.record("ws-1", Duration.ofDays(1));
        assertThat(store.insert(r)).isTrue();
        updated.add(r.toBuilder().version(2).name("renamed").build());
        versions[i] = 1;
      }
      // The scripts loaded first, so that none is sent in full (EVAL) after a NOSCRIPT.
      TokenRecord warm = RedisTokenStoreTest.record("ws-1", Duration.ofDays(1));
      assertThat(store.insert(warm)).isTrue();
      assertThat(store.replaceEach(List.of(warm.toBuilder().version(2).build()), new long[] {1},
          null)).containsExactly(true);
      redis.slowlogReset();
      boolean[] written = store.replaceEach(updated, versions, null);
      for (boolean w : written) assertThat(w).isTrue();
      List<String> scripts = new ArrayList<>();
      for (Object e : redis.slowlogGet(100_000)) {
        List<?> args = (List<?>) ((List<?>) e).get(3);
        String command = String.valueOf(args.get(0)).toUpperCase(java.util.Locale.ROOT);
        if (command.equals("EVALSHA")) scripts.add(String.valueOf(args.get(1)));
        if (command.equals("EVAL")) scripts.add("EVAL " + String.valueOf(args.get(1)).length());
      }
      assertThat(scripts).filteredOn(Scripts.REPLACE_EACH.sha1()::equals).hasSize(2);
      assertThat(scripts).filteredOn(Scripts.INDEX_EACH.sha1()::equals).hasSize(1);
      assertThat(scripts).doesNotContain(Scripts.REPLACE.sha1(), Scripts.INDEX.sha1())
          .noneMatch(c -> c.startsWith("EVAL "));
      for (TokenRecord r : updated) assertThat(store.find(r.id())).contains(r);
    } finally {
      node.stop();
    }
  }
}
