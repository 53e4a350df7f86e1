package io.latchkey.spi;

/**
 * The state a store keeps. {@code EXPIRED} is never stored: core derives it from the clock and the
 * record's {@link TokenRecord#expiresAt()}.
 */
public enum StoredState {
  ACTIVE,
  DISABLED,
  REVOKED
}
