package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheStatsTest {

  @Test
  void cacheStats_countLookupsAndStoreLoads() {
    try (Latchkey l = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .usageFlushInterval(Duration.ofHours(1)).build()) {
      assertThat(l.cacheStats().hitRatio()).as("no lookup yet").isEqualTo(1.0);
      IssuedToken a = l.tokens().issue(NewToken.in("ws").name("a"));
      IssuedToken b = l.tokens().issue(NewToken.in("ws").name("b"));
      for (int i = 0; i < 3; i++) assertThat(l.validator().validate(a.secret()).isValid()).isTrue();
      assertThat(l.validator().validate(b.secret()).isValid()).isTrue();
      assertThat(l.validator().validate("not a token").isValid()).isFalse(); // no lookup

      CacheStats s = l.cacheStats();
      assertThat(s.lookups()).isEqualTo(4);
      assertThat(s.loads()).isEqualTo(2);
      assertThat(s.entries()).isEqualTo(2);
      assertThat(s.hitRatio()).isCloseTo(0.5, within(1e-9));
    }
  }

  @Test
  void cacheStats_cacheOff_everyLookupLoads() {
    try (Latchkey l = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .cacheTtl(Duration.ZERO).usageFlushInterval(Duration.ofHours(1)).build()) {
      IssuedToken a = l.tokens().issue(NewToken.in("ws").name("a"));
      for (int i = 0; i < 3; i++) l.validator().validate(a.secret());
      assertThat(l.cacheStats()).isEqualTo(new CacheStats(3, 3, 0));
      assertThat(l.cacheStats().hitRatio()).isZero();
    }
  }
}
