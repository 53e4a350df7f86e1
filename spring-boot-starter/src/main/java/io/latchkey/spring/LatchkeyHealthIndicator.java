package io.latchkey.spring;

import io.latchkey.Latchkey;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of Latchkey, from {@link Latchkey#health()}: UP when the store answers its
 * liveness check and the change feed is not down ({@link io.latchkey.Health#isUp()}). The details
 * are the store's type, {@code storeReachable} and {@code feed}: {@code SUBSCRIBED}, {@code DOWN}
 * (retried in the background; other instances' changes are not arriving), or {@code NONE} (the
 * store has no feed: they are seen within the cache TTL). Nothing secret goes into the details.
 */
public final class LatchkeyHealthIndicator extends AbstractHealthIndicator {
  private final Latchkey latchkey;

  /**
   * An indicator reporting the library's health.
   *
   * @param latchkey the library instance whose {@link Latchkey#health()} is reported
   */
  public LatchkeyHealthIndicator(Latchkey latchkey) {
    super("Latchkey health check failed");
    this.latchkey = latchkey;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    io.latchkey.Health health = latchkey.health();
    if (health.isUp()) builder.up();
    else builder.down();
    builder.withDetail("store", latchkey.store().getClass().getSimpleName())
        .withDetail("storeReachable", health.storeReachable())
        .withDetail("feed", health.feed().name());
  }
}
