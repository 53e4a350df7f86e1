package io.latchkey;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Latchkey throws. Messages name the bad field, or the token id and its
 * state; they never carry a token's secret or its hash.
 */
public class LatchkeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message that carries no secret.
   *
   * @param message what went wrong
   */
  public LatchkeyException(String message) {
    super(message);
  }

  /**
   * An exception with a message that carries no secret, and its cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure, or null
   */
  public LatchkeyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
