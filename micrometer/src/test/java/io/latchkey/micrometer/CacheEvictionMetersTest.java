package io.latchkey.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import io.latchkey.store.jdbc.JdbcTokenStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code latchkey.cache.evictions} on a real H2 store: by size and by expiry, not by change. */
class CacheEvictionMetersTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static JdbcTokenStore h2() {
    return JdbcTokenStore.builder()
        .jdbcUrl("jdbc:h2:mem:meters" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1")
        .build();
  }

  private static double evictions(SimpleMeterRegistry registry, String cause) {
    return registry.get("latchkey.cache.evictions").tag("cause", cause).functionCounter().count();
  }

  @Test
  void sizeBound_countsEvictionsBySize() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    metrics.bindTo(registry);
    try (JdbcTokenStore store = h2();
         Latchkey lk = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
             .cacheMaximumSize(2).metrics(metrics).build()) {
      List<IssuedToken> tokens = new ArrayList<>();
      for (int i = 0; i < 6; i++) tokens.add(lk.tokens().issue(NewToken.in("ws").name("t" + i)));
      assertThat(evictions(registry, "size")).isZero();

      for (IssuedToken t : tokens) {
        assertThat(lk.validator().validate(ValidationRequest.of(t.secret())).isValid()).isTrue();
      }

      // Six loaded into room for two: at least four pushed out (Caffeine may also refuse a
      // newcomer, which counts as an eviction too).
      assertThat(evictions(registry, "size")).isGreaterThanOrEqualTo(4);
      assertThat(lk.cachedTokens()).isLessThanOrEqualTo(2);
      assertThat(evictions(registry, "expired")).isZero();
    }
  }

  @Test
  void timeToLive_countsExpiredEntries_butNotChangedOnes() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    metrics.bindTo(registry);
    MutableClock clock = new MutableClock();
    try (JdbcTokenStore store = h2();
         Latchkey lk = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
             .clock(clock).cacheTtl(Duration.ofSeconds(10)).metrics(metrics).build()) {
      IssuedToken first = lk.tokens().issue(NewToken.in("ws").name("first"));
      IssuedToken second = lk.tokens().issue(NewToken.in("ws").name("second"));
      IssuedToken third = lk.tokens().issue(NewToken.in("ws").name("third"));
      lk.validator().validate(ValidationRequest.of(first.secret()));
      lk.validator().validate(ValidationRequest.of(second.secret()));
      // A revocation through this instance drops its entry: a change, not an eviction.
      lk.tokens().revoke(second.id());
      assertThat(evictions(registry, "expired")).isZero();

      clock.advance(Duration.ofSeconds(11));
      // A load runs the cache's maintenance, which removes what outlived its time-to-live.
      lk.validator().validate(ValidationRequest.of(third.secret()));

      assertThat(evictions(registry, "expired")).isEqualTo(1);
      assertThat(evictions(registry, "size")).isZero();
    }
  }

  /** A clock the test moves; Latchkey's cache reads its time from it too. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public long millis() {
      return now.toEpochMilli();
    }
  }
}
