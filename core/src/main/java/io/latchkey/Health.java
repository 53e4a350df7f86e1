package io.latchkey;

/**
 * Whether a {@link Latchkey}'s store and change feed are up, as {@link Latchkey#health()} found
 * them: for a host's readiness or health endpoint.
 *
 * @param storeReachable whether the store answered a liveness check ({@link
 *     io.latchkey.spi.TokenStore#ping()}) just now
 * @param feed the state of the change-feed subscription
 */
public record Health(boolean storeReachable, Feed feed) {

  /** The state of the change-feed subscription. */
  public enum Feed {
    /** Subscribed: changes made by other processes reach this instance's cache. */
    SUBSCRIBED,
    /**
     * The store has a feed but this instance is not receiving it (subscribing failed, or the store
     * reported the connection lost); it is retried in the background with bounded back-off, and
     * the cache is marked for reload when it returns.
     */
    DOWN,
    /** The store has no change feed (H2): other processes' changes are seen within the cache TTL. */
    NONE
  }

  public Health {
    if (feed == null) throw new InvalidArgumentException("feed", "must not be null");
  }

  /** True if the store is reachable and the feed is not {@link Feed#DOWN}. */
  public boolean isUp() {
    return storeReachable && feed != Feed.DOWN;
  }
}
