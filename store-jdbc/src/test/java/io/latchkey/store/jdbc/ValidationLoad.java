package io.latchkey.store.jdbc;

import io.latchkey.Reason;
import io.latchkey.TokenValidator;
import io.latchkey.ValidationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * Validations in a loop on background threads while a test breaks the store: every answer is
 * timed and kept, and anything thrown out of {@code validate} is kept too, for the test to judge
 * after the fault.
 */
final class ValidationLoad implements AutoCloseable {
  /**
   * One validation: when it started and ended ({@link System#nanoTime()}), and why it was refused
   * (null: valid).
   */
  record Sample(String what, long startNanos, long endNanos, @Nullable Reason reason) {
    long millis() {
      return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    }
  }

  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Throwable> escaped = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /**
   * Starts one thread per secret, validating it through {@code validator} about every 5 ms.
   *
   * @param what names the samples of this validator and secret
   */
  ValidationLoad add(String what, TokenValidator validator, String secret) {
    Thread t = new Thread(() -> {
      while (running) {
        long start = System.nanoTime();
        try {
          ValidationResult r = validator.validate(secret);
          samples.add(new Sample(what, start, System.nanoTime(), r.reasonOrNull()));
        } catch (Throwable e) {
          escaped.add(e);
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "validation-load " + what);
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return this;
  }

  /** What escaped {@code validate}: must stay empty. */
  List<Throwable> escaped() {
    return List.copyOf(escaped);
  }

  /** The samples of {@code what} that started in the window. */
  List<Sample> samples(String what, LongPredicate startedIn) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.what.equals(what) && startedIn.test(s.startNanos)) out.add(s);
    }
    return out;
  }

  /** The first sample that started after {@code nanos} and was valid, if any. */
  static @Nullable Sample firstValidAfter(List<Sample> samples, long nanos) {
    Sample first = null;
    for (Sample s : samples) {
      if (s.reason == null && s.startNanos - nanos >= 0
          && (first == null || s.startNanos - first.startNanos < 0)) {
        first = s;
      }
    }
    return first;
  }

  static long worstMillis(List<Sample> samples) {
    return samples.stream().mapToLong(Sample::millis).max().orElse(0);
  }

  /** How many of the samples answered {@code reason} (null: valid). */
  static long count(List<Sample> samples, @Nullable Reason reason) {
    return samples.stream().filter(s -> s.reason == reason).count();
  }

  /**
   * Stops the threads after the validation each is in, without interrupting it: an interrupted
   * store read answers UNAVAILABLE, which would be counted as the fault's doing. A validation is
   * bounded by the store's timeout; a thread still running after 30 s is interrupted.
   */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(30_000);
      if (t.isAlive()) {
        t.interrupt();
        t.join(30_000);
      }
    }
  }
}
