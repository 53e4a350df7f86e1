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

  /**
   * Called once when the {@link Latchkey} using this recorder is built, e.g. to read its cache.
   *
   * @param latchkey the instance built
   */
  default void attached(Latchkey latchkey) {}

  /**
   * One validation: {@code rejectedFor} is null when the token was valid.
   *
   * @param rejectedFor the reason, or null if valid
   * @param nanos how long it took
   */
  default void validated(@Nullable Reason rejectedFor, long nanos) {}

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
