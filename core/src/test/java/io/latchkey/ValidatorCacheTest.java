package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.internal.TokenFormat;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The validator's cache in front of a store that counts its reads: single flight, negative
 * caching of garbage, invalidation by the change feed, the time-to-live without one, failing
 * closed and serving stale entries while the store is down.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ValidatorCacheTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final TestClock clock = new TestClock(Harness.START);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) c.close();
  }

  private Latchkey latchkey(TokenStore store, UnaryOperator<Latchkey.Builder> config) {
    Latchkey l = config.apply(Latchkey.builder().store(store).clock(clock).hashingKey(Harness.K1)
        .usageFlushInterval(Duration.ofHours(1))).build();
    closing.add(l);
    return l;
  }

  private static IssuedToken issue(Latchkey l) {
    return l.tokens().issue(NewToken.in("ws-1").name("cached"));
  }

  private static Reason reason(Latchkey l, String token) {
    return l.validator().validate(token).reasonOrNull();
  }

  /** The record as another process would leave it: revoked, without telling anyone. */
  private static TokenRecord revoked(MapTokenStore store, IssuedToken t) {
    TokenRecord r = store.record(t.id());
    return r.toBuilder().state(StoredState.REVOKED).version(r.version() + 1).build();
  }

  // ---------------------------------------------------------------- single flight

  @Test
  void validate_sixteenThreadsOnOneMiss_readTheStoreOnce() throws Exception {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b);
    IssuedToken t = issue(l);
    store.findDelayMillis = 200;
    store.finds.set(0);
    int threads = 16;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ValidationResult>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return l.validator().validate(t.secret());
        }));
      }
      for (Future<ValidationResult> r : results) assertThat(r.get().isValid()).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.finds.get()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- garbage

  @Test
  void validate_randomStrings_neverReachTheStore() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b);
    String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-. ";
    int length = new TokenFormat("lk").length();
    for (int i = 0; i < 2_000; i++) {
      StringBuilder sb = new StringBuilder(i % 2 == 0 ? "lk_" : "");
      int n = i % 3 == 0 ? length - sb.length() : RANDOM.nextInt(120);
      for (int k = 0; k < n; k++) sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
      assertThat(reason(l, sb.toString())).isEqualTo(Reason.MALFORMED);
    }
    assertThat(store.finds.get()).isZero();
  }

  @Test
  void validate_wrongChecksum_neverReachesTheStore() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b);
    String token = issue(l).secret();
    for (int i = 3; i < token.length(); i++) {
      char c = token.charAt(i);
      String typo = token.substring(0, i) + (c == 'a' ? 'b' : 'a') + token.substring(i + 1);
      assertThat(reason(l, typo)).as("typo at %d", i).isEqualTo(Reason.MALFORMED);
    }
    assertThat(store.finds.get()).isZero();
  }

  @Test
  void validate_unknownIdsWithValidChecksum_readTheStoreOncePerIdPerNegativePeriod() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.negativeCache(1_000, Duration.ofSeconds(5)));
    TokenFormat format = new TokenFormat("lk");
    List<String> forged = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      forged.add(format.assemble(TokenFormat.newId(clock.millis(), RANDOM, Harness.TAGGER),
          TokenFormat.newSecret(RANDOM)));
    }
    for (int round = 0; round < 10; round++) {
      for (String token : forged) assertThat(reason(l, token)).isEqualTo(Reason.UNKNOWN);
    }
    assertThat(store.finds.get()).isEqualTo(50);

    clock.advance(Duration.ofSeconds(4));
    for (String token : forged) reason(l, token);
    assertThat(store.finds.get()).isEqualTo(50);

    clock.advance(Duration.ofSeconds(2)); // past the negative period
    for (int round = 0; round < 3; round++) {
      for (String token : forged) assertThat(reason(l, token)).isEqualTo(Reason.UNKNOWN);
    }
    assertThat(store.finds.get()).isEqualTo(100);
  }

  @Test
  void validate_wrongSecretOfKnownId_readsTheStoreOnce() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b);
    IssuedToken t = issue(l);
    TokenFormat format = new TokenFormat("lk");
    String wrong = format.assemble(t.id().value(), TokenFormat.newSecret(RANDOM));
    store.finds.set(0);
    l.invalidateCache();
    for (int i = 0; i < 100; i++) assertThat(reason(l, wrong)).isEqualTo(Reason.UNKNOWN);
    assertThat(store.finds.get()).isEqualTo(1);
  }

  @Test
  void validate_moreUnknownIdsThanTheNegativeCacheHolds_keepsItBounded() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.negativeCache(10, Duration.ofMinutes(5)));
    TokenFormat format = new TokenFormat("lk");
    List<String> forged = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      forged.add(format.assemble(TokenFormat.newId(clock.millis(), RANDOM, Harness.TAGGER),
          TokenFormat.newSecret(RANDOM)));
    }
    for (String token : forged) reason(l, token);
    for (String token : forged) reason(l, token);
    // At most ten ids can have been remembered between the two rounds.
    assertThat(store.finds.get()).isGreaterThanOrEqualTo(2 * 200 - 10);
  }

  // ---------------------------------------------------------------- change feed and ttl

  @Test
  void tokenChanged_fromTheFeed_dropsTheEntry() throws InterruptedException {
    MapTokenStore store = new MapTokenStore(true);
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofHours(1)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();

    store.put(revoked(store, t));
    assertThat(l.validator().validate(t.secret()).isValid()).as("still cached").isTrue();
    store.publish(t.id().value());
    // In effect when the notification returns: the entry is marked changed on the feed's thread.
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void feedReset_dropsEverything() throws InterruptedException {
    MapTokenStore store = new MapTokenStore(true);
    List<ChangeListener> subscribers = new ArrayList<>();
    TokenStore spy = new ForwardingStore(store) {
      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribers.add(listener);
        return super.subscribe(listener);
      }
    };
    Latchkey l = latchkey(spy, b -> b.cacheTtl(Duration.ofHours(1)));
    List<IssuedToken> issued = new ArrayList<>();
    for (int i = 0; i < 5; i++) issued.add(issue(l));
    for (IssuedToken t : issued) assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    for (IssuedToken t : issued) store.put(revoked(store, t));
    for (IssuedToken t : issued) assertThat(l.validator().validate(t.secret()).isValid()).isTrue();

    assertThat(subscribers).hasSize(1);
    subscribers.get(0).feedReset();
    for (IssuedToken t : issued) {
      Harness.await("the reset", () -> reason(l, t.secret()) == Reason.REVOKED);
    }
  }

  @Test
  void validate_withoutFeed_servesAChangeMadeElsewhereForAtMostTheTtl() {
    MapTokenStore store = new MapTokenStore(false);
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofSeconds(30)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    store.put(revoked(store, t));

    clock.advance(Duration.ofSeconds(29));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void validate_changeThroughThisInstance_isSeenAtOnceWithoutFeed() {
    MapTokenStore store = new MapTokenStore(false);
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofHours(1)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    l.tokens().revoke(t.id());
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @ParameterizedTest(name = "feed reset: {0}")
  @ValueSource(booleans = {false, true})
  void validate_loadRacingAnInvalidation_doesNotCacheWhatItReadBefore(boolean reset)
      throws Exception {
    MapTokenStore store = new MapTokenStore(true);
    List<ChangeListener> subscribers = new ArrayList<>();
    CountDownLatch readDone = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    boolean[] hold = {false};
    TokenStore slow = new ForwardingStore(store) {
      @Override
      public Optional<TokenRecord> find(String id) {
        Optional<TokenRecord> r = super.find(id);
        if (hold[0]) {
          readDone.countDown();
          await(release);
        }
        return r;
      }

      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribers.add(listener);
        return super.subscribe(listener);
      }
    };
    Latchkey l = latchkey(slow, b -> b.cacheTtl(Duration.ofHours(1)));
    IssuedToken t = issue(l);
    hold[0] = true;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // A load reads the active record, then stalls; meanwhile the token is revoked elsewhere
      // and the feed delivers the change before the load has finished.
      Future<ValidationResult> first = pool.submit(() -> l.validator().validate(t.secret()));
      assertThat(readDone.await(5, TimeUnit.SECONDS)).isTrue();
      hold[0] = false;
      store.put(revoked(store, t));
      Future<?> feed = pool.submit(() -> {
        if (reset) {
          subscribers.get(0).feedReset();
        } else {
          store.publish(t.id().value());
        }
      });
      Thread.sleep(100);
      release.countDown();
      first.get(5, TimeUnit.SECONDS);
      feed.get(5, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    // Nothing else will invalidate it: a load that cached the active record fails this.
    Harness.await("the revocation", () -> reason(l, t.secret()) == Reason.REVOKED);
  }

  // ---------------------------------------------------------------- store down

  @Test
  void validate_storeDown_failsClosedOnceTheEntryExpires() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofSeconds(30)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    store.down = true;

    assertThat(l.validator().validate(t.secret()).isValid()).as("fresh entry").isTrue();
    clock.advance(Duration.ofSeconds(31));
    ValidationResult r = l.validator().validate(t.secret());
    assertThat(r.reasonOrNull()).isEqualTo(Reason.UNAVAILABLE);
    assertThat(r.httpStatus()).isEqualTo(503);
    TokenFormat format = new TokenFormat("lk");
    String other = format.assemble(TokenFormat.newId(clock.millis(), RANDOM, Harness.TAGGER),
        TokenFormat.newSecret(RANDOM));
    assertThat(reason(l, other)).isEqualTo(Reason.UNAVAILABLE);

    store.down = false;
    assertThat(reason(l, t.secret())).as("within the retry interval of the failed read")
        .isEqualTo(Reason.UNAVAILABLE);
    clock.advance(Duration.ofMillis(1_001));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
  }

  @Test
  void validate_oneFailedRead_answersEveryRequestWaitingOnItAtOnce() throws Exception {
    MapTokenStore backing = new MapTokenStore();
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch fail = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    boolean[] failing = {false};
    TokenStore store = new ForwardingStore(backing) {
      @Override
      public Optional<TokenRecord> find(String id) {
        if (!failing[0]) return super.find(id);
        reads.incrementAndGet();
        reading.countDown();
        await(fail); // a frozen backend, then a timeout
        throw new StoreUnavailableException("timed out (test)", null);
      }
    };
    Latchkey l = latchkey(store, b -> b);
    IssuedToken t = issue(l);
    l.invalidateCache();
    failing[0] = true;
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<ValidationResult>> results = new ArrayList<>();
      results.add(pool.submit(() -> l.validator().validate(t.secret())));
      assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i < threads; i++) {
        results.add(pool.submit(() -> l.validator().validate(t.secret())));
      }
      Thread.sleep(100); // let the others queue on the same key
      fail.countDown();
      for (Future<ValidationResult> f : results) {
        assertThat(f.get(5, TimeUnit.SECONDS).reasonOrNull()).isEqualTo(Reason.UNAVAILABLE);
      }
    } finally {
      pool.shutdownNow();
    }
    // Each waiter reading again in turn is what made answers come at 2, 4, 6, 8 s.
    assertThat(reads.get()).as("store reads for one failed load").isEqualTo(1);

    failing[0] = false;
    assertThat(reason(l, t.secret())).as("the next read waits for the retry interval")
        .isEqualTo(Reason.UNAVAILABLE);
    assertThat(reads.get()).isEqualTo(1);
    clock.advance(Duration.ofMillis(1_001));
    assertThat(reason(l, t.secret())).isNull();
  }

  @Test
  void feedReset_storeDown_keepsServingCachedEntries() throws Exception {
    MapTokenStore store = new MapTokenStore(true);
    List<ChangeListener> subscribers = new ArrayList<>();
    TokenStore spy = new ForwardingStore(store) {
      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribers.add(listener);
        return super.subscribe(listener);
      }
    };
    Latchkey l = latchkey(spy, b -> b.cacheTtl(Duration.ofSeconds(30)));
    IssuedToken t = issue(l);
    assertThat(reason(l, t.secret())).isNull();
    store.down = true; // the command connection is still down when the feed comes back
    subscribers.get(0).feedReset();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    while (System.nanoTime() < until) {
      assertThat(reason(l, t.secret())).as("a servable entry after a reset").isNull();
      Thread.sleep(5);
    }
    clock.advance(Duration.ofSeconds(29));
    assertThat(reason(l, t.secret())).as("29 s old, within the ttl").isNull();
    clock.advance(Duration.ofSeconds(2));
    assertThat(reason(l, t.secret())).as("beyond ttl + serveStaleFor (0)")
        .isEqualTo(Reason.UNAVAILABLE);    store.down = false; // so close() can write the usage
  }

  @Test
  void feedReset_entryIsReadAgainAndAChangeMissedIsSeen() {
    MapTokenStore store = new MapTokenStore(true);
    List<ChangeListener> subscribers = new ArrayList<>();
    TokenStore spy = new ForwardingStore(store) {
      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribers.add(listener);
        return super.subscribe(listener);
      }
    };
    Latchkey l = latchkey(spy, b -> b.cacheTtl(Duration.ofHours(1))
        .serveStaleFor(Duration.ofMinutes(1)));
    IssuedToken t = issue(l);
    assertThat(reason(l, t.secret())).isNull();
    store.down = true;
    subscribers.get(0).feedReset();
    assertThat(reason(l, t.secret())).as("served while the store is down").isNull();
    store.down = false;
    store.put(revoked(store, t)); // a change whose notification the reset lost
    assertThat(reason(l, t.secret())).as("retry interval not yet over").isNull();
    clock.advance(Duration.ofMillis(1_001));
    assertThat(reason(l, t.secret())).as("read again once the store answers")
        .isEqualTo(Reason.REVOKED);
  }

  @Test
  void noOpRevoke_ofATokenRevokedElsewhere_dropsThisInstancesEntry() {
    MapTokenStore store = new MapTokenStore(false);
    Latchkey a = latchkey(store, b -> b.cacheTtl(Duration.ofHours(1)));
    Latchkey b = latchkey(store, x -> x.cacheTtl(Duration.ofHours(1)));
    IssuedToken t = issue(a);
    assertThat(reason(a, t.secret())).isNull();
    b.tokens().revoke(t.id());
    assertThat(reason(a, t.secret())).as("no feed: still cached").isNull();
    assertThat(a.tokens().revoke(t.id()).state()).isEqualTo(TokenState.REVOKED); // a no-op
    assertThat(reason(a, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void get_ofATokenChangedElsewhere_dropsThisInstancesEntry() {
    MapTokenStore store = new MapTokenStore(false);
    Latchkey a = latchkey(store, b -> b.cacheTtl(Duration.ofHours(1)));
    Latchkey b = latchkey(store, x -> x.cacheTtl(Duration.ofHours(1)));
    IssuedToken t = issue(a);
    assertThat(reason(a, t.secret())).isNull();
    b.tokens().disable(t.id());
    assertThat(a.tokens().get(t.id()).state()).isEqualTo(TokenState.DISABLED);
    assertThat(reason(a, t.secret())).isEqualTo(Reason.DISABLED);
    b.tokens().delete(t.id());
    assertThat(a.tokens().find(t.id())).isEmpty();
    assertThat(reason(a, t.secret())).isEqualTo(Reason.UNKNOWN);
  }

  @Test
  void validate_serveStaleFor_servesCachedEntriesUpToTheStatedStaleness() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofSeconds(30))
        .serveStaleFor(Duration.ofSeconds(60)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    store.down = true;

    clock.advance(Duration.ofSeconds(45));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    clock.advance(Duration.ofSeconds(44)); // 89 s: within 30 + 60
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    clock.advance(Duration.ofSeconds(2)); // 91 s
    assertThat(reason(l, t.secret())).isEqualTo(Reason.UNAVAILABLE);    store.down = false; // so close() can write the usage
  }

  @Test
  void validate_serveStaleFor_asksADownStoreAtMostOncePerSecond() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.cacheTtl(Duration.ofSeconds(30))
        .serveStaleFor(Duration.ofMinutes(10)));
    IssuedToken t = issue(l);
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    store.down = true;
    clock.advance(Duration.ofSeconds(31));
    int before = store.finds.get();

    for (int i = 0; i < 100; i++) assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    assertThat(store.finds.get() - before).isEqualTo(1);
    clock.advance(Duration.ofMillis(1_100));
    for (int i = 0; i < 100; i++) assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    assertThat(store.finds.get() - before).isEqualTo(2);

    // Back up: the next attempt reloads, and a change made meanwhile is seen.
    store.down = false;
    store.put(revoked(store, t));
    clock.advance(Duration.ofMillis(1_100));
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void validate_serveStaleFor_stillFailsClosedForIdsNeverCached() {
    MapTokenStore store = new MapTokenStore();
    Latchkey l = latchkey(store, b -> b.serveStaleFor(Duration.ofMinutes(10)));
    IssuedToken t = issue(l);
    l.invalidateCache();
    store.down = true;
    assertThat(reason(l, t.secret())).isEqualTo(Reason.UNAVAILABLE);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
