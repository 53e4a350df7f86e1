package io.latchkey.spi;

/**
 * Receives the ids of tokens changed anywhere on a store's backend, so that caches in every
 * process drop them at once. Implementations must be thread-safe and must return quickly: they are
 * called on the store's feed thread.
 */
public interface ChangeListener {

  /**
   * A record with this id was inserted, replaced or deleted (by any process).
   *
   * @param tokenId the id of the changed record
   */
  void tokenChanged(String tokenId);

  /**
   * As {@link #tokenChanged(String)}, from a feed that knows when the change was committed (so
   * Latchkey can measure the feed's lag). Stores call this one when their message carries the
   * time, e.g. through {@link ChangeMessages#deliver}; by default it calls {@link
   * #tokenChanged(String)}.
   *
   * @param tokenId the id of the changed record
   * @param committedAtMillis when the change was committed, in epoch milliseconds
   */
  default void tokenChanged(String tokenId, long committedAtMillis) {
    tokenChanged(tokenId);
  }

  /**
   * The feed was interrupted and is connected again: changes may have been missed, so nothing
   * cached may be trusted without reading it again. (Latchkey marks every entry for reload and
   * keeps serving it within its serve-stale rules until a read succeeds.)
   */
  default void feedReset() {}

  /**
   * A workspace's revocation watermark was raised (by any process): its records written before
   * {@code watermark} are revoked (see {@link RevocationWatermarks}). Stores that keep watermarks
   * deliver it through the feed like a changed id; a listener must take it into account at once.
   *
   * @param workspace the workspace
   * @param watermark the new watermark
   */
  default void revocationWatermarkRaised(String workspace, java.time.Instant watermark) {}

  /**
   * The feed lost its connection; {@link #feedReset()} follows once it is back. Optional: a store
   * that calls it lets {@link io.latchkey.Latchkey#health()} report the feed down meanwhile.
   */
  default void feedInterrupted() {}
}
