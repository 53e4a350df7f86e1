package io.latchkey.micrometer;

import io.latchkey.Latchkey;
import io.latchkey.MetricsRecorder;
import io.latchkey.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
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
 *   <tr><td>{@code latchkey.validation.duration}</td><td>timer of every validation</td></tr>
 *   <tr><td>{@code latchkey.cache.size}</td><td>gauge: tokens cached</td></tr>
 *   <tr><td>{@code latchkey.cache.loads}</td><td>counter: store reads on a cache miss</td></tr>
 *   <tr><td>{@code latchkey.cache.hit.ratio}</td><td>gauge: validations answered without a store
 *   read, since start</td></tr>
 *   <tr><td>{@code latchkey.store.errors}</td><td>counter, tag {@code operation}: {@code find} or
 *   {@code usage}</td></tr>
 *   <tr><td>{@code latchkey.feed.resets}</td><td>counter: change-feed reconnects (cache dropped)
 *   </td></tr>
 *   <tr><td>{@code latchkey.usage.flush}</td><td>timer of usage writes</td></tr>
 *   <tr><td>{@code latchkey.usage.flush.tokens}</td><td>summary: tokens per usage write</td></tr>
 * </table>
 *
 * <p>Calls that arrive before {@link #bindTo} are counted into the ratio but not into meters.
 * Thread-safe.
 */
public final class LatchkeyMetrics implements MetricsRecorder, MeterBinder {
  private final Tags tags;
  private final LongAdder validations = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private volatile @Nullable Latchkey latchkey;
  private volatile @Nullable Meters meters;

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
  }

  private record Meters(Counter valid, Map<Reason, Counter> rejected, Timer duration,
      Counter loads, Counter findErrors, Counter usageErrors, Counter feedResets, Timer flush,
      DistributionSummary flushTokens) {}

  @Override
  public void bindTo(MeterRegistry registry) {
    Map<Reason, Counter> rejected = new EnumMap<>(Reason.class);
    for (Reason r : Reason.values()) {
      rejected.put(r, validationCounter(registry, r.name().toLowerCase(Locale.ROOT)));
    }
    Gauge.builder("latchkey.cache.size", this, m -> {
      Latchkey lk = m.latchkey;
      return lk == null ? 0 : lk.cachedTokens();
    }).tags(tags).description("Tokens in the validator's cache").register(registry);
    Gauge.builder("latchkey.cache.hit.ratio", this, LatchkeyMetrics::hitRatio).tags(tags)
        .description("Validations answered without a store read, since start").register(registry);
    meters = new Meters(
        validationCounter(registry, "valid"),
        rejected,
        Timer.builder("latchkey.validation.duration").tags(tags)
            .description("Time to validate a token").register(registry),
        Counter.builder("latchkey.cache.loads").tags(tags)
            .description("Store reads on a cache miss").register(registry),
        Counter.builder("latchkey.store.errors").tags(tags).tag("operation", "find")
            .description("Store calls that failed").register(registry),
        Counter.builder("latchkey.store.errors").tags(tags).tag("operation", "usage")
            .description("Store calls that failed").register(registry),
        Counter.builder("latchkey.feed.resets").tags(tags)
            .description("Change-feed reconnects; each drops the cache").register(registry),
        Timer.builder("latchkey.usage.flush").tags(tags)
            .description("Time to write buffered usage").register(registry),
        DistributionSummary.builder("latchkey.usage.flush.tokens").tags(tags)
            .description("Tokens per usage write").register(registry));
  }

  private Counter validationCounter(MeterRegistry registry, String result) {
    return Counter.builder("latchkey.validations").tags(tags).tag("result", result)
        .description("Token validations by result").register(registry);
  }

  /** Validations answered from the cache, as a fraction of all since start; 0 before any. */
  double hitRatio() {
    long v = validations.sum();
    if (v == 0) return 0;
    return Math.max(0, 1.0 - (double) loads.sum() / v);
  }

  @Override
  public void attached(Latchkey latchkey) {
    this.latchkey = latchkey;
  }

  @Override
  public void validated(@Nullable Reason rejectedFor, long nanos) {
    validations.increment();
    Meters m = meters;
    if (m == null) return;
    (rejectedFor == null ? m.valid : m.rejected.get(rejectedFor)).increment();
    m.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void storeRead(long nanos, boolean failed) {
    loads.increment();
    Meters m = meters;
    if (m == null) return;
    m.loads.increment();
    if (failed) m.findErrors.increment();
  }

  @Override
  public void usageWritten(int tokens, long nanos, boolean failed) {
    Meters m = meters;
    if (m == null) return;
    m.flush.record(nanos, TimeUnit.NANOSECONDS);
    m.flushTokens.record(tokens);
    if (failed) m.usageErrors.increment();
  }

  @Override
  public void feedReset() {
    Meters m = meters;
    if (m != null) m.feedResets.increment();
  }
}
