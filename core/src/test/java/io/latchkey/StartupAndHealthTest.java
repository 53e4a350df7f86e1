package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A host that starts while its store is down: build succeeds, validation answers UNAVAILABLE
 * until the store answers, the feed is subscribed in the background with bounded back-off, and
 * {@link Latchkey#health()} tells. Also the order of closing the Latchkey and its store.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StartupAndHealthTest {
  private final TestClock clock = new TestClock(Harness.START);
  private final MapTokenStore backing = new MapTokenStore(true);
  private final List<Latchkey> closing = new ArrayList<>();

  /** The backing store whose subscribe() throws while {@link #feedDown} is set. */
  private final class FlakyFeedStore extends ForwardingStore {
    volatile boolean feedDown;
    volatile boolean feedThrowsOther;
    final AtomicInteger subscribes = new AtomicInteger();
    final List<ChangeListener> subscribers = new ArrayList<>();

    FlakyFeedStore() {
      super(backing);
    }

    @Override
    public Optional<Subscription> subscribe(ChangeListener listener) {
      subscribes.incrementAndGet();
      if (feedThrowsOther) throw new IllegalStateException("feed client not ready (test)");
      if (feedDown || backing.down) {
        throw new StoreUnavailableException("feed connection refused (test)", null);
      }
      synchronized (subscribers) {
        subscribers.add(listener);
      }
      return super.subscribe(listener);
    }
  }

  @AfterEach
  void tearDown() {
    backing.down = false;
    for (Latchkey l : closing) l.close();
  }

  private Latchkey build(TokenStore store) {
    Latchkey l = Latchkey.builder().store(store).clock(clock).hashingKey(Harness.K1)
        .cacheTtl(Duration.ofHours(1)).usageFlushInterval(Duration.ofHours(1)).build();
    closing.add(l);
    return l;
  }

  private static Reason reason(Latchkey l, String token) {
    return l.validator().validate(token).reasonOrNull();
  }

  private TokenRecord revoked(IssuedToken t) {
    TokenRecord r = backing.record(t.id());
    return r.toBuilder().state(StoredState.REVOKED).version(r.version() + 1).build();
  }

  @ParameterizedTest(name = "subscribe throws another exception: {0}")
  @ValueSource(booleans = {false, true})
  void build_storeDown_succeedsAnswersUnavailableAndRecovers(boolean otherException)
      throws Exception {
    IssuedToken t = build(backing).tokens().issue(NewToken.in("ws").name("t"));
    FlakyFeedStore store = new FlakyFeedStore();
    store.feedThrowsOther = otherException;
    backing.down = true;

    Latchkey l = build(store);

    assertThat(l.health()).isEqualTo(new Health(false, Health.Feed.DOWN));
    assertThat(l.health().isUp()).isFalse();
    assertThat(l.hasChangeFeed()).isFalse();
    assertThat(reason(l, t.secret())).isEqualTo(Reason.UNAVAILABLE);

    backing.down = false;
    store.feedThrowsOther = false;
    clock.advance(Duration.ofMillis(1_001)); // the failed read's retry interval
    assertThat(reason(l, t.secret())).isNull();
    Harness.await("the background subscription", () -> l.health().feed() == Health.Feed.SUBSCRIBED);
    assertThat(l.health().isUp()).isTrue();
    assertThat(l.hasChangeFeed()).isTrue();

    backing.put(revoked(t));
    backing.publish(t.id().value()); // the feed now reaches this instance
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void feedSubscribedLate_marksWhatWasCachedForReload() throws Exception {
    IssuedToken t = build(backing).tokens().issue(NewToken.in("ws").name("t"));
    FlakyFeedStore store = new FlakyFeedStore();
    store.feedDown = true; // the store answers, its feed does not
    Latchkey l = build(store);
    assertThat(l.health()).isEqualTo(new Health(true, Health.Feed.DOWN));
    assertThat(reason(l, t.secret())).isNull(); // cached

    backing.put(revoked(t)); // announced to nobody: this instance had no feed
    store.feedDown = false;
    Harness.await("the background subscription", () -> l.health().feed() == Health.Feed.SUBSCRIBED);
    assertThat(reason(l, t.secret())).isEqualTo(Reason.REVOKED);
  }

  @Test
  void subscribeRetries_backOffAndStayBounded() throws Exception {
    FlakyFeedStore store = new FlakyFeedStore();
    store.feedDown = true;
    Latchkey l = build(store);
    Thread.sleep(1_600);
    int attempts = store.subscribes.get();
    // 0, 100, 300, 700, 1500 ms: five at most; a busy loop would make thousands.
    assertThat(attempts).isBetween(2, 5);
    assertThat(Latchkey.FEED_RETRY_MAX_MILLIS).isEqualTo(5_000);
    assertThat(l.health().feed()).isEqualTo(Health.Feed.DOWN);
  }

  @Test
  void health_followsTheStoreAndWhatTheFeedReports() {
    FlakyFeedStore store = new FlakyFeedStore();
    Latchkey l = build(store);
    assertThat(l.health()).isEqualTo(new Health(true, Health.Feed.SUBSCRIBED));
    store.subscribers.get(0).feedInterrupted();
    assertThat(l.health()).isEqualTo(new Health(true, Health.Feed.DOWN));
    store.subscribers.get(0).feedReset();
    assertThat(l.health().isUp()).isTrue();
    backing.down = true;
    assertThat(l.health()).isEqualTo(new Health(false, Health.Feed.SUBSCRIBED));
    assertThat(backing.finds.get()).as("the default ping is a find").isPositive();

    Latchkey noFeed = build(new MapTokenStore(false));
    assertThat(noFeed.health()).isEqualTo(new Health(true, Health.Feed.NONE));
    assertThat(noFeed.health().isUp()).isTrue();
  }

  @Test
  void ping_default_findsAnIdNoTokenCanHave() {
    List<String> asked = new ArrayList<>();
    TokenStore store = new ForwardingStore(backing) {
      @Override
      public Optional<TokenRecord> find(String id) {
        asked.add(id);
        return super.find(id);
      }
    };
    store.ping();
    assertThat(asked).containsExactly(TokenStore.PING_ID);
    assertThat(TokenStore.PING_ID).hasSize(16).doesNotMatch("[0-9A-Za-z]{16}");
    backing.down = true;
    assertThatThrownBy(store::ping).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void close_afterTheStore_refusesLoudlyInsteadOfLosingUsageQuietly() {
    Latchkey l = Latchkey.builder().store(backing).clock(clock).hashingKey(Harness.K1)
        .usageFlushInterval(Duration.ofHours(1)).build();
    IssuedToken t = l.tokens().issue(NewToken.in("ws").name("t"));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue(); // usage buffered
    backing.down = true; // as a closed store answers

    assertThatThrownBy(l::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("usage of 1 tokens unwritten")
        .hasMessageContaining("close the Latchkey before the store")
        .hasCauseInstanceOf(StoreUnavailableException.class);
    l.close(); // closed already: nothing more to say
  }

  @Test
  void close_beforeTheStore_writesTheUsage() {
    Latchkey l = Latchkey.builder().store(backing).clock(clock).hashingKey(Harness.K1)
        .usageFlushInterval(Duration.ofHours(1)).build();
    IssuedToken t = l.tokens().issue(NewToken.in("ws").name("t"));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
    l.close();
    assertThat(backing.record(t.id()).lastUsedAt()).isEqualTo(clock.instant());
  }
}
