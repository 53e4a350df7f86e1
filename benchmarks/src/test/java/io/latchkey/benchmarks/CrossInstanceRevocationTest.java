package io.latchkey.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.IssuedToken;
import io.latchkey.Latchkey;
import io.latchkey.Reason;
import io.latchkey.TokenValidator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two Latchkey instances, each with its own store object (own pool or client, own change-feed
 * connection) on one real PostgreSQL and on one real Redis: a change made on one reaches the
 * other's cache through the feed, long before the one-hour time-to-live would.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrossInstanceRevocationTest {

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(2);
    }
  }

  private static Reason reason(TokenValidator v, IssuedToken t) {
    return v.validate(Fixtures.request(t.secret())).reasonOrNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {Backends.POSTGRES, Backends.REDIS})
  void revoke_onOneInstance_isRejectedByTheOther(String backend) throws Exception {
    String prefix = Backends.freshPrefix();
    try (Backends.Backend storeA = Backends.Backend.open(backend, prefix);
         Backends.Backend storeB = Backends.Backend.open(backend, prefix);
         Latchkey a = Fixtures.latchkey(storeA.store).cacheTtl(Duration.ofHours(1)).build();
         Latchkey b = Fixtures.latchkey(storeB.store).cacheTtl(Duration.ofHours(1)).build()) {
      assertThat(a.hasChangeFeed()).isTrue();
      assertThat(b.hasChangeFeed()).isTrue();
      IssuedToken revoked = a.tokens().issue(Fixtures.newToken(1));
      IssuedToken disabled = a.tokens().issue(Fixtures.newToken(2));
      IssuedToken deleted = a.tokens().issue(Fixtures.newToken(3));
      for (IssuedToken t : new IssuedToken[] {revoked, disabled, deleted}) {
        assertThat(reason(b.validator(), t)).as("cached on B").isNull();
        assertThat(reason(a.validator(), t)).as("cached on A").isNull();
      }

      a.tokens().revoke(revoked.id());
      a.tokens().disable(disabled.id());
      a.tokens().delete(deleted.id());

      await("B to see the revoke", () -> reason(b.validator(), revoked) == Reason.REVOKED);
      await("B to see the disable", () -> reason(b.validator(), disabled) == Reason.DISABLED);
      await("B to see the delete", () -> reason(b.validator(), deleted) == Reason.UNKNOWN);

      // And the other way round.
      b.tokens().enable(disabled.id());
      await("A to see the enable", () -> reason(a.validator(), disabled) == null);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {Backends.POSTGRES, Backends.REDIS})
  void propagation_measuresEveryRevocation(String backend) throws Exception {
    Propagation.Result r = Propagation.measure(backend, 20);
    assertThat(r.revocations()).isEqualTo(20);
    assertThat(r.p50Millis()).isLessThanOrEqualTo(r.p99Millis());
  }
}
