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

  /** Called once when the {@link Latchkey} using this recorder is built, e.g. to read its cache. */
  default void attached(Latchkey latchkey) {}

  /** One validation: {@code rejectedFor} is null when the token was valid. */
  default void validated(@Nullable Reason rejectedFor, long nanos) {}

  /** The validator read a token from the store: a cache miss (load). */
  default void storeRead(long nanos, boolean failed) {}

  /** Buffered usage of {@code tokens} tokens was written to the store. */
  default void usageWritten(int tokens, long nanos, boolean failed) {}

  /** The store's change feed was interrupted and reconnected; the cache was dropped. */
  default void feedReset() {}
}
