package io.latchkey;

/**
 * The effective state of a token, as users see it. {@code ACTIVE}, {@code DISABLED} and {@code
 * REVOKED} are stored; {@code EXPIRED} is derived from the clock ({@code now >= expiresAt}) and wins
 * over {@code ACTIVE} and {@code DISABLED}. {@code REVOKED} is final.
 */
public enum TokenState {
  /** Usable until it expires. */
  ACTIVE,
  /** Suspended until enabled. */
  DISABLED,
  /** Revoked for good. */
  REVOKED,
  /** Past its expiry time; derived from the clock, never stored. */
  EXPIRED
}
