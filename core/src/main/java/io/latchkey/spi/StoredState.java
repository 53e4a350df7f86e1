package io.latchkey.spi;

/**
 * The state a store keeps. {@code EXPIRED} is never stored: core derives it from the clock and the
 * record's {@link TokenRecord#expiresAt()}.
 */
public enum StoredState {
  /** Usable: validation may accept it until it expires. */
  ACTIVE,
  /** Suspended: rejected as {@code DISABLED} until enabled again. */
  DISABLED,
  /** Revoked for good: no transition leaves this state. */
  REVOKED
}
