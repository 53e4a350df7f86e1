package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.HashingKey;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.MapTokenStore;
import io.latchkey.NewToken;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Usage slots follow the cache, not every token ever validated: after many distinct tokens and a
 * flush, a validator holds no more slots than cached entries (it held one per token before).
 */
class UsageSlotsTest {

  @Test
  void slots_afterManyDistinctTokensAndAFlush_areBoundedByTheCache() {
    try (Latchkey l = Latchkey.builder().store(new MapTokenStore())
        .hashingKey(HashingKey.generate("k1")).cacheMaximumSize(10)
        .usageFlushInterval(Duration.ofHours(1)).build()) {
      List<IssuedToken> issued = new ArrayList<>();
      for (int i = 0; i < 200; i++) issued.add(l.tokens().issue(NewToken.in("ws").name("t" + i)));
      DefaultTokenValidator v = (DefaultTokenValidator) l.validator();
      for (IssuedToken t : issued) assertThat(v.validate(t.secret()).isValid()).isTrue();
      assertThat(l.flushUsage()).isEqualTo(200);

      assertThat(v.usageSlots()).isLessThanOrEqualTo(10);
    }
  }

  @Test
  void slots_withoutCache_liveOnlyUntilWritten() {
    try (Latchkey l = Latchkey.builder().store(new MapTokenStore())
        .hashingKey(HashingKey.generate("k1")).cacheTtl(Duration.ZERO)
        .usageFlushInterval(Duration.ofHours(1)).build()) {
      IssuedToken t = l.tokens().issue(NewToken.in("ws").name("t"));
      DefaultTokenValidator v = (DefaultTokenValidator) l.validator();
      assertThat(v.validate(t.secret()).isValid()).isTrue();
      assertThat(v.usageSlots()).isOne();
      assertThat(l.flushUsage()).isOne();
      assertThat(v.usageSlots()).isZero();
    }
  }
}
