package io.latchkey.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.ValidationRequest;
import io.latchkey.store.memory.InMemoryTokenStore;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LatchkeyMetricsTest {

  @Test
  void meters_followValidationsLoadsUsageAndErrors() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LatchkeyMetrics metrics = new LatchkeyMetrics(Tags.of("app", "billing"));
    metrics.bindTo(registry);
    InMemoryTokenStore store = new InMemoryTokenStore();
    try (Latchkey lk = Latchkey.builder().store(store).hashingKey(HashingKey.generate("k1"))
        .metrics(metrics).build()) {
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
          .counter().count()).isEqualTo(4);
      assertThat(registry.get("latchkey.validations").tag("result", "permission_denied")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validations").tag("result", "malformed")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validations").tag("result", "unavailable")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.validation.duration").timer().count()).isEqualTo(7);
      // Two misses (t, then fresh while the store is closed); the store's own feed may deliver the
      // issue notifications late and drop t once more, so one more load is allowed.
      double loads = registry.get("latchkey.cache.loads").counter().count();
      assertThat(loads).isBetween(2.0, 3.0);
      assertThat(registry.get("latchkey.store.errors").tag("operation", "find").counter().count())
          .isEqualTo(1);
      assertThat(registry.get("latchkey.cache.size").gauge().value()).isEqualTo(1);
      assertThat(registry.get("latchkey.cache.hit.ratio").gauge().value())
          .isEqualTo(1 - loads / 7);
      assertThat(registry.get("latchkey.usage.flush").timer().count()).isEqualTo(1);
      assertThat(registry.get("latchkey.usage.flush.tokens").summary().totalAmount())
          .isEqualTo(1);
      assertThat(registry.get("latchkey.feed.resets").counter().count()).isZero();
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
