package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.internal.Checks;
import io.latchkey.internal.DefaultTokenValidator;
import io.latchkey.spi.TokenRecord;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The validator's cache is bounded by memory, not by count: records with every field at its limit
 * (100 ranges, 256 permissions, 64 metadata values of 1 KiB) take about 110 KiB each.
 */
class CacheWeightTest {
  static final int TOKENS = 200;

  /** Every field at its limit, each string distinct. */
  static NewToken maximal(int n) {
    NewToken spec = NewToken.in("ws").name("maximal " + n).description("d".repeat(1024));
    for (int i = 0; i < Checks.MAX_ALLOWED_IPS; i++) spec.allowIp("10." + n % 250 + "." + i + ".0/24");
    for (int i = 0; i < Checks.MAX_PERMISSIONS; i++) spec.permission("scope:" + n + ":" + i, true);
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < Checks.MAX_METADATA_ENTRIES; i++) {
      metadata.put("key" + i, (n + ":" + i + ":").repeat(400).substring(0, 1024));
    }
    return spec.metadata(metadata);
  }

  /** Hands out fresh copies of every string, as a store that decodes rows or hashes does. */
  static final class CopyingStore extends ForwardingStore {
    CopyingStore(MapTokenStore inner) {
      super(inner);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      return super.find(id).map(CopyingStore::copy);
    }

    static String fresh(String s) {
      return s == null ? null : new String(s.toCharArray());
    }

    static TokenRecord copy(TokenRecord r) {
      Map<String, Boolean> permissions = new LinkedHashMap<>();
      r.permissions().forEach((k, v) -> permissions.put(fresh(k), v));
      Map<String, String> metadata = new LinkedHashMap<>();
      r.metadata().forEach((k, v) -> metadata.put(fresh(k), fresh(v)));
      List<String> ips = new ArrayList<>();
      r.allowedIps().forEach(ip -> ips.add(fresh(ip)));
      return r.toBuilder().id(fresh(r.id())).workspace(fresh(r.workspace())).name(fresh(r.name()))
          .description(fresh(r.description())).createdBy(fresh(r.createdBy()))
          .permissions(permissions).metadata(metadata).allowedIps(ips).build();
    }
  }

  static long usedHeap() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }

  /** Heap taken by caching every token, per token, and the cache's estimate per token. */
  static long[] fill(long budget) throws Exception {
    MapTokenStore records = new MapTokenStore();
    try (Harness h = Harness.create(b -> b); Latchkey l = Latchkey.builder()
        .store(new CopyingStore(records)).clock(h.clock).hashingKey(Harness.K1)
        .cacheTtl(Duration.ofHours(1)).cacheMaximumBytes(budget).build()) {
      List<IssuedToken> tokens = new ArrayList<>();
      for (int i = 0; i < TOKENS; i++) tokens.add(l.tokens().issue(maximal(i)));
      l.invalidateCache();
      long before = usedHeap();
      for (IssuedToken t : tokens) {
        assertThat(l.validator().validate(ValidationRequest.of(t.secret())
            .clientIp("10." + (tokens.indexOf(t) % 250) + ".7.1")).isValid()).isTrue();
      }
      long after = usedHeap();
      DefaultTokenValidator v = (DefaultTokenValidator) l.validator();
      long count = v.cachedCount();
      return new long[] {after - before, v.cachedBytes(), count};
    }
  }

  @Test
  void theEstimate_isCloseToTheHeapAnEntryTakes() throws Exception {
    long[] unbounded = fill(Long.MAX_VALUE);
    assertThat(unbounded[2]).isEqualTo(TOKENS);
    long measuredPerEntry = unbounded[0] / TOKENS;
    long estimatedPerEntry = unbounded[1] / TOKENS;
    assertThat(estimatedPerEntry).as("estimated bytes of a maximal entry").isBetween(60_000L, 150_000L);
    assertThat((double) estimatedPerEntry / measuredPerEntry)
        .as("estimate %d / measured %d", estimatedPerEntry, measuredPerEntry).isBetween(0.6, 1.6);
  }

  @Test
  void aBudget_boundsTheHeapTheCacheTakes() throws Exception {
    long budget = 4L << 20;
    long[] bounded = fill(budget);
    assertThat(bounded[1]).as("estimated bytes cached").isLessThanOrEqualTo(budget);
    assertThat(bounded[2]).as("entries cached").isBetween(1L, (long) TOKENS / 3);
    assertThat(bounded[0]).as("heap taken by the cache").isLessThan(2 * budget);
  }

  @Test
  void maximumSize_stillCapsTheCount() throws Exception {
    try (Harness h = Harness.create(b -> b.cacheMaximumSize(10))) {
      for (int i = 0; i < 50; i++) {
        assertThat(h.validator().validate(h.issue("ws", "t" + i).secret()).isValid()).isTrue();
      }
      DefaultTokenValidator v = (DefaultTokenValidator) h.validator();
      assertThat(v.cachedCount()).isLessThanOrEqualTo(10);
    }
  }
}
