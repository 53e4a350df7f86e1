package io.latchkey.internal;

import io.latchkey.Harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IdGeneratorTest {

  @Test
  void next_strictlyIncreasesWithinOneMillisecond() {
    IdGenerator ids = new IdGenerator(new SecureRandom(), Harness.TAGGER);
    String previous = ids.next(1_000L);
    for (int i = 0; i < 10_000; i++) {
      String id = ids.next(1_000L);
      assertThat(id).isGreaterThan(previous);
      assertThat(TokenFormat.isValidId(id)).isTrue();
      previous = id;
    }
  }

  @Test
  void next_keepsIncreasingWhenTheClockGoesBack() {
    IdGenerator ids = new IdGenerator(new SecureRandom(), Harness.TAGGER);
    String a = ids.next(2_000L);
    String b = ids.next(1_000L);
    String c = ids.next(2_001L);
    assertThat(b).isGreaterThan(a);
    assertThat(c).isGreaterThan(b);
    assertThat(Base62.decodeFixed(c, 1, 7)).isEqualTo(2_001L);
  }

  @Test
  void next_strictlyIncreasesWhenTheRandomPartOverflows() {
    // A random source that always yields the highest digit: the first id's random part is
    // "zzzz", so the next id in the same millisecond cannot be made by incrementing it.
    SecureRandom highest = new SecureRandom() {
      private static final long serialVersionUID = 1L;

      @Override
      public void nextBytes(byte[] bytes) {
        Arrays.fill(bytes, (byte) 247); // 247 % 62 == 61, the digit 'z'
      }
    };
    IdGenerator ids = new IdGenerator(highest, Harness.TAGGER);
    String first = ids.next(5_000L);
    assertThat(first.substring(8, 12)).isEqualTo("zzzz");

    String second = ids.next(5_000L);

    assertThat(second).isGreaterThan(first);
  }
}
