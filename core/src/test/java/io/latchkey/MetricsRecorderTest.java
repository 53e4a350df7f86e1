package io.latchkey;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.internal.DefaultTokenValidator;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class MetricsRecorderTest {

  /** Writes down every call. */
  static final class Recording implements MetricsRecorder {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicReference<@Nullable Latchkey> attached = new AtomicReference<>();

    @Override
    public void attached(Latchkey latchkey) {
      attached.set(latchkey);
    }

    @Override
    public void validated(@Nullable Reason rejectedFor, long nanos) {
      assertThat(nanos).isNotNegative();
      calls.add("validated " + rejectedFor);
    }

    @Override
    public void storeRead(long nanos, boolean failed) {
      calls.add("storeRead " + (failed ? "failed" : "ok"));
    }

    @Override
    public void usageWritten(int tokens, long nanos, boolean failed) {
      calls.add("usageWritten " + tokens + (failed ? " failed" : ""));
    }

    @Override
    public void feedReset() {
      calls.add("feedReset");
    }
  }

  private static Latchkey latchkey(TokenStore store, MetricsRecorder recorder) {
    return Latchkey.builder().store(store).hashingKey(Harness.K1).metrics(recorder).build();
  }

  @Test
  void validations_loadsAndUsage_reported() {
    Recording r = new Recording();
    MapTokenStore store = new MapTokenStore();
    try (Latchkey lk = latchkey(store, r)) {
      assertThat(r.attached.get()).isSameAs(lk);
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n").permission("a", true));

      lk.validator().validate(ValidationRequest.of(t.secret()).require("a"));
      lk.validator().validate(ValidationRequest.of(t.secret()).require("a"));
      lk.validator().validate(ValidationRequest.of(t.secret()).require("b"));
      lk.validator().validate(ValidationRequest.of("garbage"));
      lk.flushUsage();

      assertThat(r.calls).containsExactly("storeRead ok", "validated null", "validated null",
          "validated PERMISSION_DENIED", "validated MALFORMED", "usageWritten 1");
      assertThat(lk.cachedTokens()).isEqualTo(1);
    }
  }

  @Test
  void storeDown_failedReadReported() {
    Recording r = new Recording();
    MapTokenStore store = new MapTokenStore();
    try (Latchkey lk = latchkey(store, r)) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));
      store.down = true;

      ValidationResult result = lk.validator().validate(ValidationRequest.of(t.secret()));

      assertThat(result.reasonOrNull()).isEqualTo(Reason.UNAVAILABLE);
      assertThat(r.calls).containsExactly("storeRead failed", "validated UNAVAILABLE");
    }
  }

  @Test
  void feedReset_reported() {
    Recording r = new Recording();
    AtomicReference<@Nullable ChangeListener> subscribed = new AtomicReference<>();
    MapTokenStore inner = new MapTokenStore();
    TokenStore store = new ForwardingStore(inner) {
      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribed.set(listener);
        return Optional.of(() -> { });
      }
    };
    try (Latchkey lk = latchkey(store, r)) {
      subscribed.get().feedReset();

      assertThat(r.calls).containsExactly("feedReset");
    }
  }

  @Test
  void recorderThrows_answersUnchanged() {
    MetricsRecorder broken = new MetricsRecorder() {
      @Override
      public void validated(@Nullable Reason rejectedFor, long nanos) {
        throw new IllegalStateException("broken recorder");
      }

      @Override
      public void storeRead(long nanos, boolean failed) {
        throw new IllegalStateException("broken recorder");
      }
    };
    try (Latchkey lk = latchkey(new MapTokenStore(), broken)) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));

      assertThat(lk.validator().validate(ValidationRequest.of(t.secret())).isValid()).isTrue();
    }
  }

  @Test
  void feedChangeWithCommitTime_lagReported_bareChangeNot() {
    List<Long> lags = new CopyOnWriteArrayList<>();
    MetricsRecorder r = new MetricsRecorder() {
      @Override
      public void feedLag(long lagMillis) {
        lags.add(lagMillis);
      }
    };
    AtomicReference<@Nullable ChangeListener> subscribed = new AtomicReference<>();
    TokenStore store = new ForwardingStore(new MapTokenStore()) {
      @Override
      public Optional<Subscription> subscribe(ChangeListener listener) {
        subscribed.set(listener);
        return Optional.of(() -> { });
      }
    };
    try (Latchkey lk = latchkey(store, r)) {
      subscribed.get().tokenChanged("1aaaaaaaaaaaaaaa");
      subscribed.get().tokenChanged("1aaaaaaaaaaaaaaa", System.currentTimeMillis() - 250);
      subscribed.get().tokenChanged("1aaaaaaaaaaaaaaa", System.currentTimeMillis() + 60_000);

      assertThat(lags).hasSize(2);
      assertThat(lags.get(0)).isBetween(250L, 60_000L);
      assertThat(lags.get(1)).isZero(); // a writer's clock ahead of ours: not a negative lag
    }
  }

  @Test
  void timingPeriod_notAPowerOfTwo_rejectedNamingMetrics() {
    MetricsRecorder r = new MetricsRecorder() {
      @Override
      public int validationTimingPeriod() {
        return 3;
      }
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Latchkey.builder().metrics(r))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("metrics")
        .hasMessageContaining("power of two");
  }

  @Test
  void timingPeriod_sampled_everyValidationCountedFewTimed() {
    List<Long> nanos = new CopyOnWriteArrayList<>();
    MetricsRecorder r = new MetricsRecorder() {
      @Override
      public void validated(@Nullable Reason rejectedFor, long n) {
        nanos.add(n);
      }

      @Override
      public int validationTimingPeriod() {
        return 8;
      }
    };
    try (Latchkey lk = latchkey(new MapTokenStore(), r)) {
      IssuedToken t = lk.tokens().issue(NewToken.in("ws").name("n"));
      for (int i = 0; i < 2000; i++) lk.validator().validate(ValidationRequest.of(t.secret()));

      assertThat(nanos).hasSize(2000);
      long timed = nanos.stream().filter(n -> n != MetricsRecorder.NOT_TIMED).count();
      assertThat(timed).isBetween(150L, 350L); // 250 expected, standard deviation about 15
      assertThat(nanos).allMatch(n -> n == MetricsRecorder.NOT_TIMED || n >= 0);
    }
  }

  @Test
  void noRecorder_validatorNotWrapped() {
    try (Latchkey lk = Latchkey.builder().store(new MapTokenStore()).hashingKey(Harness.K1)
        .build()) {
      assertThat(lk.validator()).isInstanceOf(DefaultTokenValidator.class);
    }
  }
}
