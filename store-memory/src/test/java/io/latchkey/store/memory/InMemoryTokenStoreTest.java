package io.latchkey.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latchkey.HashingKey;
import io.latchkey.Health;
import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.NewToken;
import io.latchkey.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the in-memory store promises beyond the SPI kit: synchronous invalidation, close order. */
class InMemoryTokenStoreTest {
  private static final HashingKey KEY = HashingKey.generate("k1");

  private static Latchkey latchkey(InMemoryTokenStore store) {
    return Latchkey.builder().store(store).hashingKey(KEY).cacheTtl(Duration.ofHours(1)).build();
  }

  @Test
  void twoInstances_aRevocationOnOneIsSeenByTheOtherWhenRevokeReturns() {
    try (InMemoryTokenStore store = new InMemoryTokenStore();
        Latchkey a = latchkey(store);
        Latchkey b = latchkey(store)) {
      for (int i = 0; i < 200; i++) {
        IssuedToken t = a.tokens().issue(NewToken.in("ws").name("t" + i));
        assertThat(b.validator().validate(t.secret()).isValid()).isTrue(); // cached in b
        a.tokens().revoke(t.id());
        // No waiting: the store calls b's listener on the revoking thread.
        assertThat(b.validator().validate(t.secret()).reasonOrNull())
            .as("attempt %s", i).isEqualTo(Reason.REVOKED);
      }
    }
  }

  @Test
  void closingTheStoreFirst_makesLatchkeyCloseThrowInsteadOfLosingUsageQuietly() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    Latchkey l = latchkey(store);
    IssuedToken t = l.tokens().issue(NewToken.in("ws").name("t"));
    assertThat(l.validator().validate(t.secret()).isValid()).isTrue(); // usage buffered
    store.close();
    assertThat(l.health()).isEqualTo(new Health(false, Health.Feed.SUBSCRIBED));
    assertThatThrownBy(l::close).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("close the Latchkey before the store");
  }

  @Test
  void closingLatchkeyFirst_writesTheUsage() {
    try (InMemoryTokenStore store = new InMemoryTokenStore()) {
      Latchkey l = latchkey(store);
      IssuedToken t = l.tokens().issue(NewToken.in("ws").name("t"));
      assertThat(l.validator().validate(t.secret()).isValid()).isTrue();
      l.close();
      assertThat(store.find(t.id().value()).orElseThrow().lastUsedAt()).isNotNull();
    }
  }
}
