package io.latchkey;

import org.jspecify.annotations.Nullable;

/**
 * The store's backend could not be reached or failed mid-operation. A write that fails this way
 * left the store as it was. The validator turns it into {@link Reason#UNAVAILABLE}.
 */
public final class StoreUnavailableException extends LatchkeyException {
  private static final long serialVersionUID = 1L;

  /**
   * The backend failed.
   *
   * @param message what failed, with no token data
   * @param cause the driver's exception, or null where it could carry token data
   */
  public StoreUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
