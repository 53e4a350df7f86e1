package io.latchkey;

import org.jspecify.annotations.Nullable;

/**
 * Receives what Latchkey measures, for a metrics library to count (the {@code latchkey-micrometer}
 * module's {@code LatchkeyMetrics} is one). Set with {@link Latchkey.Builder#metrics}; without one,
 * nothing is measured and nothing is wrapped, so the hot path costs what it did.
 *
 * <p>Methods are called on request and background threads, concurrently: implementations must be
 * thread-safe, fast, and must not throw (an exception is ignored). Nothing passed here is secret.
 */
public interface MetricsRecorder {
  /** Records nothing. */
  MetricsRecorder NONE = new MetricsRecorder() {};

  /** The {@code nanos} of a {@link #validated} call that was counted but not timed. */
  long NOT_TIMED = -1;

  /**
   * Called once when the {@link Latchkey} using this recorder is built, e.g. to read its cache.
   *
   * @param latchkey the instance built
   */
  default void attached(Latchkey latchkey) {}

  /**
   * One validation: {@code rejectedFor} is null when the token was valid. Called for every
   * validation; only one in {@link #validationTimingPeriod()} is timed, the others pass {@link
   * #NOT_TIMED}, so most validations cost no clock reads. Keep it cheap: it runs on the cached path
   * (count into a {@code LongAdder} per reason, not a lock or an allocation).
   *
   * @param rejectedFor the reason, or null if valid
   * @param nanos how long it took, or {@link #NOT_TIMED}
   */
  default void validated(@Nullable Reason rejectedFor, long nanos) {}

  /**
   * Time one validation in this many, chosen at random per validation (a power of two from 1 to
   * 1024; 1 times every one). Read once, when the {@link Latchkey} is built.
   *
   * @return the sampling period of validation timings
   */
  default int validationTimingPeriod() {
    return 1;
  }

  /**
   * The validator's cache evicted a token: to stay within its size or byte bound, or because it
   * stayed unread past its time-to-live (plus serve-stale). A token dropped because it changed
   * is not an eviction. Called during the cache's maintenance, on a request or background thread.
   *
   * @param expired true if it expired, false if the size bound pushed it out
   */
  default void cacheEvicted(boolean expired) {}

  /**
   * The change feed delivered a change and this instance applied it (its cached entry now counts
   * as changed), {@code lagMillis} after the change was committed by the writer: the feed message's
   * commit time (PostgreSQL: the database's clock in the trigger; Redis: the writing instance's
   * clock) against this instance's wall clock, so clock skew between hosts adds to it; a negative
   * difference is reported as 0. Only for stores whose feed carries the commit time. Called on the
   * store's feed thread.
   *
   * @param lagMillis milliseconds from commit to applied, at least 0
   */
  default void feedLag(long lagMillis) {}

  /**
   * The validator read a token from the store: a cache miss (load).
   *
   * @param nanos how long the read took
   * @param failed true if the store failed
   */
  default void storeRead(long nanos, boolean failed) {}

  /**
   * Buffered usage of {@code tokens} tokens was written to the store.
   *
   * @param tokens how many tokens' usage
   * @param nanos how long the write took
   * @param failed true if the store failed
   */
  default void usageWritten(int tokens, long nanos, boolean failed) {}

  /** The store's change feed was interrupted and reconnected; the cache was dropped. */
  default void feedReset() {}
}
