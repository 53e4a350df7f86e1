package io.latchkey;

/**
 * The effective state of a token, as users see it. {@code ACTIVE}, {@code DISABLED} and {@code
 * REVOKED} are stored; {@code EXPIRED} is derived from the clock ({@code now >= expiresAt}) and wins
 * over {@code ACTIVE} and {@code DISABLED}. {@code REVOKED} is final.
 */
public enum TokenState {
  ACTIVE,
  DISABLED,
  REVOKED,
  EXPIRED
}
