package io.latchkey.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.AuditEntry;
import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the kit cannot set up on every backend: an instance that does not know the watermarks
 * yet never answers VALID for a covered token, and a feed reset makes it read them again.
 */
class RevocationWatermarkTest {
  private static final HashingKey KEY = HashingKey.generate("k1");

  private static Latchkey latchkey(TokenStore store) {
    return Latchkey.builder().store(store).hashingKey(KEY).tokenPrefix("lk")
        .cacheTtl(Duration.ofHours(1)).build();
  }

  @Test
  void unknownWatermarks_neverAnswerValid() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    Flaky flaky = new Flaky(store);
    try (Latchkey a = latchkey(store)) {
      IssuedToken t = a.tokens().issue(NewToken.in("ws").name("n"));
      assertThat(a.tokens().revokeAll("ws")).isEqualTo(1);
      flaky.watermarksDown.set(true); // B starts while the watermarks cannot be read
      try (Latchkey b = latchkey(flaky)) {
        assertThat(b.validator().validate(t.secret()).reasonOrNull())
            .isEqualTo(Reason.UNAVAILABLE);
        flaky.watermarksDown.set(false);
        // The failed read is not retried for the store-retry interval (1 s).
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Reason r;
        do {
          r = b.validator().validate(t.secret()).reasonOrNull();
        } while (r == Reason.UNAVAILABLE && System.nanoTime() < deadline);
        assertThat(r).isEqualTo(Reason.REVOKED);
      }
    }
  }

  @Test
  void feedReset_readsTheWatermarksAgain() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    Flaky flaky = new Flaky(store);
    try (Latchkey a = latchkey(store); Latchkey b = latchkey(flaky)) {
      IssuedToken t = a.tokens().issue(NewToken.in("ws").name("n"));
      assertThat(b.validator().validate(t.secret()).isValid()).isTrue(); // cached in B
      flaky.dropWatermarks.set(true); // B's feed loses the raise
      // Raised in the store directly: no fix-up writes the record (which B would hear of).
      assertThat(store.raiseRevocationWatermark("ws", Instant.now().plusMillis(1))).isEqualTo(1);
      assertThat(b.validator().validate(t.secret()).isValid())
          .as("without the notification B's cache is not swept").isTrue();
      flaky.listener.get().feedReset();
      assertThat(b.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
      assertThat(b.tokens().get(t.id()).state()).isEqualTo(io.latchkey.TokenState.REVOKED);
    }
  }

  /**
   * The fix-up writes a chunk of records with one replaceEach, not one replace each; a record
   * changed between the listing and that call fails its compare-and-set and is revoked by the
   * read-and-retry, keeping the change. Each record gets one REVOKED entry either way.
   */
  @Test
  void fixUp_writesEachChunkWithOneReplaceEach_andRereadsARecordChangedMeanwhile()
      throws InterruptedException {
    InMemoryTokenStore store = new InMemoryTokenStore();
    Flaky flaky = new Flaky(store);
    try (Latchkey a = latchkey(flaky)) {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 450; i++) {
        ids.add(a.tokens().issue(NewToken.in("ws").name("t" + i)).id().value());
      }
      String renamed = ids.get(3);
      flaky.beforeReplaceEach.set(() -> {
        TokenRecord r = store.find(renamed).orElseThrow();
        assertThat(store.replace(r.toBuilder().name("renamed").version(r.version() + 1).build(),
            r.version())).isTrue();
      });

      assertThat(a.tokens().revokeAll("ws")).isEqualTo(450);

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!ids.stream().allMatch(id -> store.find(id).orElseThrow().state()
          == io.latchkey.spi.StoredState.REVOKED)) {
        assertThat(System.nanoTime()).as("fix-up done within 30 s").isLessThan(deadline);
        Thread.sleep(10);
      }
      assertThat(flaky.replaceEachCalls).as("one call per chunk of 200").hasValue(3);
      assertThat(flaky.replaceEachElements).hasValue(450);
      assertThat(flaky.replaceCalls).as("only the record changed meanwhile").hasValue(1);
      assertThat(store.find(renamed).orElseThrow().name()).isEqualTo("renamed");
      for (String id : ids) {
        assertThat(store.history(id, null, 10)).filteredOn(e -> e.action()
                == io.latchkey.TokenEvent.Type.REVOKED).singleElement()
            .satisfies(e -> assertThat(e.actor()).isEqualTo("revoke-all"));
      }
    }
  }

  /** The in-memory store, whose watermark reads can fail and whose raises can be dropped. */
  /**
   * One raise reaches an instance twice: from its own revokeAll and through the feed, on another
   * thread. Here the feed's delivery has learned the watermark but not yet swept the cache (it is
   * made to stop there), so revokeAll finds the watermark known: it must sweep all the same, or it
   * returns with a covered token still cached as VALID (a race the kit saw once on Redis Cluster).
   */
  @Test
  void revokeAll_sweepsTheCache_evenWhenTheFeedLearnedItsWatermarkFirst() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    Flaky flaky = new Flaky(store);
    try (Latchkey a = latchkey(flaky)) {
      IssuedToken t = a.tokens().issue(NewToken.in("ws").name("n"));
      assertThat(a.validator().validate(t.secret()).isValid()).isTrue(); // cached VALID
      // The feed's thread learns the raise and stops before its sweep.
      java.lang.reflect.Field f =
          io.latchkey.internal.DefaultTokenValidator.class.getDeclaredField("watermarks");
      f.setAccessible(true);
      io.latchkey.internal.Watermarks known =
          (io.latchkey.internal.Watermarks) f.get(a.validator());
      flaky.onRaise.set(known::learn);

      assertThat(a.tokens().revokeAll("ws")).isEqualTo(1);

      assertThat(a.validator().validate(t.secret()).reasonOrNull()).isEqualTo(Reason.REVOKED);
    }
  }

  private static final class Flaky implements TokenStore {
    final InMemoryTokenStore inner;
    final AtomicBoolean watermarksDown = new AtomicBoolean();
    final AtomicBoolean dropWatermarks = new AtomicBoolean();
    final AtomicReference<ChangeListener> listener = new AtomicReference<>();
    final AtomicInteger replaceCalls = new AtomicInteger();
    final AtomicInteger replaceEachCalls = new AtomicInteger();
    final AtomicInteger replaceEachElements = new AtomicInteger();
    /** When set, a raise the feed delivers goes here instead of to the listener. */
    final AtomicReference<java.util.function.BiConsumer<String, Instant>> onRaise =
        new AtomicReference<>();
    /** Run (once) before the next replaceEach reaches the store. */
    final AtomicReference<Runnable> beforeReplaceEach = new AtomicReference<>();

    Flaky(InMemoryTokenStore inner) {
      this.inner = inner;
    }

    @Override
    public boolean insert(TokenRecord record) {
      return inner.insert(record);
    }

    @Override
    public Optional<TokenRecord> find(String id) {
      return inner.find(id);
    }

    @Override
    public boolean replace(TokenRecord updated, long expectedVersion) {
      replaceCalls.incrementAndGet();
      return inner.replace(updated, expectedVersion);
    }

    @Override
    public boolean[] replaceEach(java.util.List<TokenRecord> updated, long[] expectedVersions,
        java.util.@org.jspecify.annotations.Nullable List<io.latchkey.AuditEntry> audits) {
      replaceEachCalls.incrementAndGet();
      replaceEachElements.addAndGet(updated.size());
      Runnable before = beforeReplaceEach.getAndSet(null);
      if (before != null) before.run();
      return inner.replaceEach(updated, expectedVersions, audits);
    }

    @Override
    public boolean delete(String id) {
      return inner.delete(id);
    }

    @Override
    public List<TokenRecord> list(String workspace, String afterId, int limit) {
      return inner.list(workspace, afterId, limit);
    }

    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {
      inner.applyUsage(updates);
    }

    @Override
    public boolean keepsAuditTrail() {
      return true;
    }

    @Override
    public boolean insert(TokenRecord record, AuditEntry audit) {
      return inner.insert(record, audit);
    }

    @Override
    public boolean replace(TokenRecord updated, long expectedVersion, AuditEntry audit) {
      replaceCalls.incrementAndGet();
      return inner.replace(updated, expectedVersion, audit);
    }

    @Override
    public boolean keepsRevocationWatermarks() {
      return true;
    }

    @Override
    public int raiseRevocationWatermark(String workspace, Instant watermark, AuditEntry audit) {
      return inner.raiseRevocationWatermark(workspace, watermark, audit);
    }

    @Override
    public Map<String, Instant> revocationWatermarks() {
      if (watermarksDown.get()) throw new StoreUnavailableException("watermarks down", null);
      return inner.revocationWatermarks();
    }

    @Override
    public Optional<Subscription> subscribe(ChangeListener l) {
      listener.set(l);
      return inner.subscribe(new ChangeListener() {
        @Override
        public void tokenChanged(String tokenId) {
          l.tokenChanged(tokenId);
        }

        @Override
        public void feedReset() {
          l.feedReset();
        }

        @Override
        public void revocationWatermarkRaised(String workspace, Instant watermark) {
          java.util.function.BiConsumer<String, Instant> instead = onRaise.get();
          if (instead != null) {
            instead.accept(workspace, watermark);
          } else if (!dropWatermarks.get()) {
            l.revocationWatermarkRaised(workspace, watermark);
          }
        }
      });
    }
  }
}
