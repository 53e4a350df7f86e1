package io.latchkey.spring;

import io.latchkey.Latchkey;
import io.latchkey.StoreUnavailableException;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health of Latchkey: UP when the store answers a read, with whether changes made by
 * other instances arrive through a change feed (without one they are seen within the cache TTL).
 * Nothing secret goes into the details.
 */
public final class LatchkeyHealthIndicator extends AbstractHealthIndicator {
  /** A well-formed id that no token has: reading it costs one indexed lookup. */
  static final String PROBE_ID = "0000000000000000";

  private final Latchkey latchkey;

  public LatchkeyHealthIndicator(Latchkey latchkey) {
    super("Latchkey health check failed");
    this.latchkey = latchkey;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.withDetail("store", latchkey.store().getClass().getSimpleName())
        .withDetail("changeFeed", latchkey.hasChangeFeed());
    try {
      latchkey.store().find(PROBE_ID);
      builder.up();
    } catch (StoreUnavailableException e) {
      builder.down().withDetail("error", "store unreachable");
    }
  }
}
