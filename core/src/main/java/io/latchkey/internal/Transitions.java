package io.latchkey.internal;

import io.latchkey.IllegalTransitionException;
import io.latchkey.TokenId;
import io.latchkey.TokenState;
import io.latchkey.spi.StoredState;
import org.jspecify.annotations.Nullable;

/**
 * The one home of the state table (see docs/architecture.md, "States"). Stored states are ACTIVE, DISABLED
 * and REVOKED; EXPIRED is derived from the clock and wins over ACTIVE and DISABLED; REVOKED is
 * final.
 */
public final class Transitions {

  /** Actions that change state. */
  public enum Action {
    DISABLE("disable"),
    ENABLE("enable"),
    REVOKE("revoke"),
    ROTATE("rotate");

    final String verb;

    Action(String verb) {
      this.verb = verb;
    }

    public String verb() {
      return verb;
    }
  }

  private Transitions() {}

  /** The effective state at {@code nowMillis}. */
  public static TokenState effective(StoredState stored, long expiresAtMillis, long nowMillis) {
    if (stored == StoredState.REVOKED) return TokenState.REVOKED;
    if (nowMillis >= expiresAtMillis) return TokenState.EXPIRED;
    return stored == StoredState.ACTIVE ? TokenState.ACTIVE : TokenState.DISABLED;
  }

  /**
   * The stored state an action leads to, or null if it is a no-op.
   *
   * @throws IllegalTransitionException if the action is not allowed from {@code effective}
   */
  public static @Nullable StoredState next(Action action, TokenId id, TokenState effective) {
    switch (action) {
      case DISABLE:
        if (effective == TokenState.DISABLED) return null;
        if (effective == TokenState.ACTIVE) return StoredState.DISABLED;
        break;
      case ENABLE:
        if (effective == TokenState.ACTIVE) return null;
        if (effective == TokenState.DISABLED) return StoredState.ACTIVE;
        break;
      case REVOKE:
        return effective == TokenState.REVOKED ? null : StoredState.REVOKED;
      case ROTATE:
        if (effective == TokenState.ACTIVE) return StoredState.ACTIVE;
        break;
      default:
        break;
    }
    throw new IllegalTransitionException(id, effective, action.verb);
  }
}
