package io.latchkey.micrometer;

import io.latchkey.Latchkey;
import io.latchkey.MetricsRecorder;
import io.latchkey.Reason;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey's meters for Micrometer. Give it to the builder, then bind it:
 *
 * <pre>{@code
 * LatchkeyMetrics metrics = new LatchkeyMetrics();
 * Latchkey latchkey = Latchkey.builder()...metrics(metrics).build();
 * metrics.bindTo(meterRegistry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><td>{@code latchkey.validations}</td><td>counter, tag {@code result}: {@code valid} or the
 *   rejection reason ({@code unknown}, {@code revoked}, ..., {@code unavailable})</td></tr>
 *   <tr><td>{@code latchkey.validation.duration}</td><td>timer of a random sample of validations,
 *   one in {@value #TIMING_PERIOD} (count them with {@code latchkey.validations})</td></tr>
 *   <tr><td>{@code latchkey.cache.size}</td><td>gauge: tokens cached</td></tr>
 *   <tr><td>{@code latchkey.cache.loads}</td><td>counter: store reads on a cache miss</td></tr>
 *   <tr><td>{@code latchkey.cache.evictions}</td><td>counter, tag {@code cause}: {@code size}
 *   (pushed out by the size or byte bound) or {@code expired} (unread past its time-to-live)
 *   </td></tr>
 *   <tr><td>{@code latchkey.cache.hit.ratio}</td><td>gauge: validations answered without a store
 *   read, since start</td></tr>
 *   <tr><td>{@code latchkey.store.errors}</td><td>counter, tag {@code operation}: {@code find} or
 *   {@code usage}</td></tr>
 *   <tr><td>{@code latchkey.feed.resets}</td><td>counter: change-feed reconnects (cache dropped)
 *   </td></tr>
 *   <tr><td>{@code latchkey.feed.lag}</td><td>timer: from a change's commit to this instance
 *   applying it, per change the feed delivers (stores whose feed carries the time)</td></tr>
 *   <tr><td>{@code latchkey.usage.flush}</td><td>timer of usage writes</td></tr>
 *   <tr><td>{@code latchkey.usage.flush.tokens}</td><td>summary: tokens per usage write</td></tr>
 * </table>
 *
 * <p>Counters are kept here ({@link LongAdder}s, read by Micrometer when it publishes), so a
 * validation costs one uncontended increment and, one time in {@value #TIMING_PERIOD}, two clock
 * reads and a timer record. Counts made before {@link #bindTo} are included once bound; timings
 * made before are not. Thread-safe.
 */
public final class LatchkeyMetrics implements MetricsRecorder, MeterBinder {
  /** One validation in this many is timed. */
  public static final int TIMING_PERIOD = 16;

  private static final Reason[] REASONS = Reason.values();

  private final Tags tags;
  /** Index 0: valid; 1 + ordinal: rejected for that reason. */
  private final LongAdder[] results = new LongAdder[REASONS.length + 1];
  private final LongAdder loads = new LongAdder();
  private final LongAdder findErrors = new LongAdder();
  private final LongAdder usageErrors = new LongAdder();
  private final LongAdder evictedBySize = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder feedResets = new LongAdder();
  private volatile @Nullable Latchkey latchkey;
  private volatile @Nullable Timers timers;

  /** Meters without extra tags. */
  public LatchkeyMetrics() {
    this(Tags.empty());
  }

  /**
   * Meters with these tags added, e.g. to tell two Latchkey instances apart.
   *
   * @param tags added to every meter this binder registers
   */
  public LatchkeyMetrics(Iterable<Tag> tags) {
    this.tags = Tags.of(tags);
    for (int i = 0; i < results.length; i++) results[i] = new LongAdder();
  }

  private record Timers(Timer duration, Timer flush, DistributionSummary flushTokens,
      Timer feedLag) {}

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "latchkey.validations", results[0], "Token validations by result",
        "result", "valid");
    for (Reason r : REASONS) {
      counter(registry, "latchkey.validations", results[1 + r.ordinal()],
          "Token validations by result", "result", r.name().toLowerCase(Locale.ROOT));
    }
    Gauge.builder("latchkey.cache.size", this, m -> {
      Latchkey lk = m.latchkey;
      return lk == null ? 0 : lk.cachedTokens();
    }).tags(tags).description("Tokens in the validator's cache").register(registry);
    Gauge.builder("latchkey.cache.hit.ratio", this, LatchkeyMetrics::hitRatio).tags(tags)
        .description("Validations answered without a store read, since start").register(registry);
    counter(registry, "latchkey.cache.loads", loads, "Store reads on a cache miss");
    counter(registry, "latchkey.cache.evictions", evictedBySize,
        "Tokens evicted from the validator's cache", "cause", "size");
    counter(registry, "latchkey.cache.evictions", expired,
        "Tokens evicted from the validator's cache", "cause", "expired");
    counter(registry, "latchkey.store.errors", findErrors, "Store calls that failed",
        "operation", "find");
    counter(registry, "latchkey.store.errors", usageErrors, "Store calls that failed",
        "operation", "usage");
    counter(registry, "latchkey.feed.resets", feedResets,
        "Change-feed reconnects; each drops the cache");
    timers = new Timers(
        Timer.builder("latchkey.validation.duration").tags(tags)
            .description("Time to validate a token (one validation in " + TIMING_PERIOD + ")")
            .register(registry),
        Timer.builder("latchkey.usage.flush").tags(tags)
            .description("Time to write buffered usage").register(registry),
        DistributionSummary.builder("latchkey.usage.flush.tokens").tags(tags)
            .description("Tokens per usage write").register(registry),
        Timer.builder("latchkey.feed.lag").tags(tags)
            .description("From a change's commit to this instance applying it")
            .register(registry));
  }

  private void counter(MeterRegistry registry, String name, LongAdder adder, String description,
      String... tagPairs) {
    FunctionCounter.builder(name, adder, LongAdder::sum).tags(tags).tags(tagPairs)
        .description(description).register(registry);
  }

  /** Validations answered from the cache, as a fraction of all since start; 0 before any. */
  double hitRatio() {
    long v = 0;
    for (LongAdder a : results) v += a.sum();
    if (v == 0) return 0;
    return Math.max(0, 1.0 - (double) loads.sum() / v);
  }

  @Override
  public void attached(Latchkey latchkey) {
    this.latchkey = latchkey;
  }

  @Override
  public int validationTimingPeriod() {
    return TIMING_PERIOD;
  }

  @Override
  public void validated(@Nullable Reason rejectedFor, long nanos) {
    results[rejectedFor == null ? 0 : 1 + rejectedFor.ordinal()].increment();
    if (nanos == NOT_TIMED) return;
    Timers t = timers;
    if (t != null) t.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void storeRead(long nanos, boolean failed) {
    loads.increment();
    if (failed) findErrors.increment();
  }

  @Override
  public void usageWritten(int tokens, long nanos, boolean failed) {
    if (failed) usageErrors.increment();
    Timers t = timers;
    if (t == null) return;
    t.flush.record(nanos, TimeUnit.NANOSECONDS);
    t.flushTokens.record(tokens);
  }

  @Override
  public void cacheEvicted(boolean expiredNotSize) {
    (expiredNotSize ? expired : evictedBySize).increment();
  }

  @Override
  public void feedReset() {
    feedResets.increment();
  }

  @Override
  public void feedLag(long lagMillis) {
    Timers t = timers;
    if (t != null) t.feedLag.record(lagMillis, TimeUnit.MILLISECONDS);
  }
}
