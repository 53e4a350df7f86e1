package io.latchkey.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class LatchkeyMetricsTest {

  @Test
  void meters_followValidationsLoadsUsageAndErrors() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics(Tags.of("app", "billing"));
    metrics.bindTo(registry);
    InMemoryTokenStore store = new InMemoryTokenStore();
    // Without its change feed: the feed's notifications of our own writes arrive on another
    // thread and would drop cached entries at moments the counts below cannot predict.
    try (Latchkey lk = Latchkey.builder().store(withoutFeed(store))
        .hashingKey(HashingKey.generate("k1")).metrics(metrics).build()) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n").permission("a", true));
      IssuedToken fresh = lk.tokens().issue(NewToken.in("ws").name("m"));
      for (int i = 0; i < 4; i++) {
        lk.validator().validate(ValidationRequest.of(t.secret()).clientIp("192.0.2.1"));
      }
      lk.validator().validate(ValidationRequest.of(t.secret()).require("b"));
      lk.validator().validate(ValidationRequest.of("nonsense"));
      lk.flushUsage();
      store.close();
      lk.validator().validate(ValidationRequest.of(fresh.secret()));

      assertThat(registry.get("latchkey.validations").tags("result", "valid", "app", "billing")
          .functionCounter().count()).isEqualTo(4);
      assertThat(registry.get("latchkey.validations").tag("result", "permission_denied")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validations").tag("result", "malformed")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validations").tag("result", "unavailable")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validation.duration").timer().count())
          .isBetween(0L, 7L); // a sample: see validationTimer_timesAboutOneInSixteen
      assertThat(registry.get("latchkey.cache.loads").functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("latchkey.store.errors").tag("operation", "find").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.get("latchkey.cache.size").gauge().value()).isEqualTo(1);
      assertThat(registry.get("latchkey.cache.hit.ratio").gauge().value())
          .isEqualTo(1 - 2.0 / 7);
      assertThat(registry.get("latchkey.usage.flush").timer().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.usage.flush.tokens").summary().totalAmount())
          .isEqualTo(1);
      assertThat(registry.get("latchkey.feed.resets").functionCounter().count()).isZero();
      assertThat(registry.get("latchkey.cache.evictions").tag("cause", "size").functionCounter()
          .count()).isZero();
    }
  }

  private static TokenStore withoutFeed(TokenStore inner) {
    return new TokenStore() {
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
        return inner.replace(updated, expectedVersion);
      }

      @Override
      public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
          @Nullable List<io.latchkey.AuditEntry> audits) {
        return inner.replaceEach(updated, expectedVersions, audits);
      }

      @Override
      public boolean delete(String id) {
        return inner.delete(id);
      }

      @Override
      public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
        return inner.list(workspace, afterId, limit);
      }

      @Override
      public void applyUsage(Collection<UsageUpdate> updates) {
        inner.applyUsage(updates);
      }
    };
  }

  @Test
  void validationTimer_timesAboutOneInSixteen() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    metrics.bindTo(registry);
    try (Latchkey lk = Latchkey.builder().store(new InMemoryTokenStore())
        .hashingKey(HashingKey.generate("k1")).metrics(metrics).build()) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));
      ValidationRequest request = ValidationRequest.of(t.secret());
      for (int i = 0; i < 4000; i++) lk.validator().validate(request);

      assertThat(registry.get("latchkey.validations").tag("result", "valid").functionCounter()
          .count()).isEqualTo(4000);
      // 4000 / 16 = 250 expected; a binomial's standard deviation here is about 15.
      assertThat(registry.get("latchkey.validation.duration").timer().count())
          .isBetween(150L, 350L);
      assertThat(registry.get("latchkey.validation.duration").timer().max(
          java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    }
  }

  @Test
  void beforeBinding_countsKept() {
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    try (Latchkey lk = Latchkey.builder().store(new InMemoryTokenStore())
        .hashingKey(HashingKey.generate("k1")).metrics(metrics).build()) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));
      lk.validator().validate(ValidationRequest.of(t.secret()));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      metrics.bindTo(registry);

      assertThat(registry.get("latchkey.validations").tag("result", "valid").functionCounter()
          .count()).isEqualTo(1);
    }
  }

  @Test
  void beforeBinding_nothingFails() {
    LatchkeyMetrics metrics = new LatchkeyMetrics();
    try (Latchkey lk = Latchkey.builder().store(new InMemoryTokenStore())
        .hashingKey(HashingKey.generate("k1")).metrics(metrics).build()) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));

      assertThat(lk.validator().validate(ValidationRequest.of(t.secret())).isValid()).isTrue();
      assertThat(metrics.hitRatio()).isZero();
    }
  }
}
